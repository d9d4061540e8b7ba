/**
 * The built-in reproductions, registered here: a recipe file is data (see
 * `../reproduction/define.ts`); this barrel registers each one, so bundlers that
 * drop side-effect-free modules keep them. A new recipe adds its file and one line.
 */
import { defineReproduction } from '../reproduction/define.js';
import { ccrec } from './ccrec.js';
import { mrlr } from './mrlr.js';
import { nmtr } from './nmtr.js';
import { rnr } from './rnr.js';
import { secondhand } from './secondhand.js';
import { sequential } from './sequential.js';

/** NMTR (Gao et al., ICDE 2019): Table III, Table V and Fig. 5 with two rules. */
export const nmtrReproduction = defineReproduction(nmtr);

/** MRLR (IJCAI): Table 2, Fig. 1, Fig. 2 and Fig. 4 under 5-fold cross-validation. */
export const mrlrReproduction = defineReproduction(mrlr);

/** RnR (RecSys 2018): Table 1 with RMSE/MAE, paired significance and §5.4's claims, at the paper's rate and with the rate searched. */
export const rnrReproduction = defineReproduction(rnr);

/** CCRec: Tables 3–6 (warm and cold users, the ablation) and Fig. 7, with paired significance and the claims of §6.3–6.4. */
export const ccrecReproduction = defineReproduction(ccrec);

/** The second-hand paper: Tables 2–5 layout on public stand-ins, overall and on rare items. */
export const secondhandReproduction = defineReproduction(secondhand);

/** The sequential models: one table on S3-Rec's Amazon domains and ml-100k, SASRec checked against S3-Rec's published numbers. */
export const sequentialReproduction = defineReproduction(sequential);

export { CCREC_COLUMNS, CCREC_DATASETS, CCREC_FOLDS, CCREC_LEARNING_RATES, CCREC_MODELS, CCREC_PAPER, CCREC_SWEEP, ccrecMethods, type CcrecData, type CcrecProtocol } from './ccrec.js';
export { type CcrecFold, type CcrecSplit, ccrecSplit, type CcrecSplitOptions } from './ccrec-protocol.js';
export { MRLR_ALPHA_TUNED, MRLR_DATASETS, MRLR_GRID, MRLR_GRID_OVERRIDES, MRLR_METHODS, PAPER_SPORTS, type MrlrProtocol } from './mrlr.js';
export { NMTR_DATASETS, NMTR_KS, nmtrMethods, type NmtrGroup, type NmtrProtocol } from './nmtr.js';
export {
  SEQUENTIAL_COLUMNS, SEQUENTIAL_DATASETS, SEQUENTIAL_DENSE, SEQUENTIAL_FIDELITY_BAND, SEQUENTIAL_MODELS, SEQUENTIAL_PAPER_SASREC, sequentialMethods, type SequentialData, type SequentialProtocol,
} from './sequential.js';
export { RNR_CLAIMS, RNR_DATASETS, RNR_GRID, RNR_HELD_OUT, RNR_LEARNING_RATES, RNR_MODELS, RNR_PAPER_TABLE1, RNR_TUNINGS, rnrMethods, type RnrData, type RnrProtocol, type RnrTuning } from './rnr.js';
export { RARE_MAX_USERS, SECONDHAND_DATASETS, SECONDHAND_KS, SECONDHAND_LEARNING_RATES, SECONDHAND_PAPER_TABLE1, SECONDHAND_SHAPES, SECONDHAND_USERS, secondhandMethods, type SecondhandData, type SecondhandProtocol } from './secondhand.js';
