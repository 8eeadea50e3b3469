/** Writes IDX bytes by hand for the tests: big-endian magic and sizes, then the elements. */
export function idxBytes(type: number, shape: number[], body: Uint8Array | number[]): Buffer {
  const header = Buffer.alloc(4 + 4 * shape.length);
  header[2] = type;
  header[3] = shape.length;
  shape.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(body as number[])]);
}

/** n images of rows x cols where pixel (i, r, c) = (i * 7 + r * cols + c) % 256, and labels i % 10. */
export function imagesAndLabels(n: number, rows: number, cols: number): { images: Buffer; labels: Buffer; pixel: (i: number, r: number, c: number) => number } {
  const pixel = (i: number, r: number, c: number): number => (i * 7 + r * cols + c) % 256;
  const body = new Uint8Array(n * rows * cols);
  for (let i = 0; i < n; i++) for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) body[(i * rows + r) * cols + c] = pixel(i, r, c);
  return { images: idxBytes(0x08, [n, rows, cols], body), labels: idxBytes(0x08, [n], Array.from({ length: n }, (_, i) => i % 10)), pixel };
}
