/** Runs the server program on this process's arguments (what `bin/rec-server.js` starts). */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
