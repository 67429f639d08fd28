import fc from 'fast-check';

/**
 * Property tests in `npm test` run with a fixed seed, so CI is repeatable; set FC_SEED to explore other seeds
 * (a failure prints the seed and path to replay it). The long explorations live in `npm run fuzz`.
 */
const seed = process.env.FC_SEED === undefined ? 20261125 : Number(process.env.FC_SEED);
fc.configureGlobal({ seed });
