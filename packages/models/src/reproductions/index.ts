/**
 * The built-in reproductions, registered here: a recipe file is data (see
 * `../reproduction/define.ts`); this barrel registers each one, so bundlers that
 * drop side-effect-free modules keep them. A new recipe adds its file and one line.
 */
import { defineReproduction } from '../reproduction/define.js';
import { nmtr } from './nmtr.js';

/** NMTR (Gao et al., ICDE 2019): Table III, Table V and Fig. 5 with two rules. */
export const nmtrReproduction = defineReproduction(nmtr);

export { NMTR_DATASETS, NMTR_KS, nmtrMethods, type NmtrGroup, type NmtrProtocol } from './nmtr.js';
