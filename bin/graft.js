#!/usr/bin/env node
'use strict';
// The `graft` CLI: the bundled build when present, else the TypeScript sources through tsx (development).
const path = require('node:path');
const fs = require('node:fs');
process.env.GRAFT_CLI_MAIN = '1';
const bundled = path.join(__dirname, '..', 'dist', 'cli.js');
if (fs.existsSync(bundled) && !process.env.GRAFT_FROM_SOURCE) {
  require(bundled);
} else {
  require('tsx/cjs');
  require(path.join(__dirname, '..', 'src', 'cli', 'main.ts'));
}
