#!/usr/bin/env node
// Draws the bundled example's pictures (flat-colour landscapes, a few KB each) into
// examples/images/. Run again after changing a scene: `node scripts/example-images.js`.
import { deflateSync } from 'node:zlib';
import { writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const W = 600;
const H = 338;

function crc32(buf) {
  let c;
  let crc = 0xffffffff;
  for (let n = 0; n < buf.length; n++) {
    c = (crc ^ buf[n]) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** A PNG of `pixel(x, y) -> [r, g, b]`. */
function png(pixel) {
  const raw = Buffer.alloc((W * 3 + 1) * H);
  for (let y = 0; y < H; y++) {
    raw[y * (W * 3 + 1)] = 0;
    for (let x = 0; x < W; x++) raw.set(pixel(x, y), y * (W * 3 + 1) + 1 + x * 3);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(W, 0);
  ihdr.writeUInt32BE(H, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Sky in bands, a sun, two ridges and a foreground: each scene its own palette. */
function landscape({ sky, sun, far, near, ground, sunAt }) {
  const ridge = (x, base, amp, f) => base + amp * Math.sin(x / f) + (amp / 2) * Math.sin(x / (f / 2.7) + 1);
  return png((x, y) => {
    if (y > ridge(x, 290, 6, 90)) return ground;
    if (y > ridge(x, 235, 22, 70)) return near;
    if (y > ridge(x, 180, 34, 110)) return far;
    if ((x - sunAt[0]) ** 2 + (y - sunAt[1]) ** 2 < 34 ** 2) return sun;
    return sky[Math.min(sky.length - 1, Math.floor((y / 190) * sky.length))];
  });
}

const SCENES = {
  'tbilisi-morning': { sky: [[120, 170, 220], [150, 190, 230], [185, 210, 235]], sun: [255, 225, 140], far: [96, 120, 150], near: [60, 90, 80], ground: [180, 150, 110], sunAt: [470, 80] },
  'kutaisi-storm': { sky: [[70, 80, 95], [95, 105, 120], [125, 135, 145]], sun: [200, 205, 210], far: [70, 85, 95], near: [45, 70, 60], ground: [90, 100, 80], sunAt: [120, 60] },
  'caspian-dusk': { sky: [[60, 50, 110], [170, 90, 120], [240, 150, 110]], sun: [255, 200, 120], far: [90, 60, 100], near: [50, 40, 70], ground: [40, 70, 110], sunAt: [300, 170] },
  'sevan-shore': { sky: [[90, 150, 210], [130, 180, 225], [175, 205, 235]], sun: [255, 240, 190], far: [120, 140, 160], near: [70, 110, 90], ground: [50, 110, 160], sunAt: [90, 70] },
};

const dir = fileURLToPath(new URL('../examples/images/', import.meta.url));
mkdirSync(dir, { recursive: true });
for (const [name, scene] of Object.entries(SCENES)) {
  const bytes = landscape(scene);
  writeFileSync(`${dir}${name}.png`, bytes);
  console.log(`examples/images/${name}.png ${bytes.length} bytes`);
}
