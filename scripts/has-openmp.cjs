// Prints "1" when the C++ compiler can build and link an OpenMP program, "0" otherwise.
// binding.gyp uses it so that a compiler without libgomp still builds a (single-threaded) addon.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

if (process.env.CONVNODE_NO_OPENMP === '1') {
  process.stdout.write('0');
  process.exit(0);
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convnode-omp-'));
const src = path.join(dir, 'omp.cc');
fs.writeFileSync(src, '#include <omp.h>\nint main() { return omp_get_max_threads() > 0 ? 0 : 1; }\n');
let ok = '0';
try {
  const cxx = process.env.CXX || 'c++';
  execFileSync(cxx, ['-fopenmp', src, '-o', path.join(dir, 'omp')], { stdio: 'ignore' });
  ok = '1';
} catch {
  ok = '0';
}
fs.rmSync(dir, { recursive: true, force: true });
process.stdout.write(ok);
