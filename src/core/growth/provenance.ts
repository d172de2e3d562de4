// The tool version recorded in every grown checkpoint's __metadata__.
import pkg from '../../../package.json';

export const GRAFT_VERSION: string = pkg.version;
