export { deepFreeze } from './deep-freeze.js';
