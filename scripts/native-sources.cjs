// Lists the addon's C++ sources for binding.gyp, so that adding a kernel file never means
// editing the build files (CMakeLists.txt globs the same folders).
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const found = [];
function walk(dir) {
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) walk(rel);
    else if (entry.name.endsWith('.cc')) found.push(rel);
  }
}
walk('native');
process.stdout.write(found.sort().join(' '));
