/**
 * Bank-switching scheme detection by ROM size and content, as ALE's Stella does it
 * (src/ale/emucore/Cart.cxx, Cartridge::autodetectType), plus the md5 overrides ALE applies.
 */
import { createHash } from 'node:crypto';
import { CartFE } from './activision.js';
import { ATARI_SCHEMES, CartAtari } from './atari.js';
import { Cart2K, Cart4K } from './basic.js';
import type { Cartridge } from './cartridge.js';
import { CartDPC } from './dpc.js';
import { CartE7 } from './mnetwork.js';
import { CartE0 } from './parker.js';
import { Cart3F } from './tigervision.js';
import { CartUA } from './ua.js';

export function md5Hex(rom: Uint8Array): string {
  return createHash('md5').update(rom).digest('hex');
}

/** ROMs that are plain F8 images but start in bank 0 (ALE's "F8 swapped"). */
const F8_SWAPPED = new Set(['bc24440b59092559a1ec26055fd1270e', '75ee371ccfc4f43e7d9b8f24e1266b55']);

/** Stella's searchForBytes, including its quirks (stops one short of the end, skips past a hit). */
function searchForBytes(image: Uint8Array, signature: readonly number[], minHits: number): boolean {
  const n = image.length;
  const s = signature.length;
  if (s > n) return false;
  let count = 0;
  for (let i = 0; i < n - s; i++) {
    let matches = 0;
    for (let j = 0; j < s; j++) {
      if (image[i + j] === signature[j]) matches++;
      else break;
    }
    if (matches === s) {
      count++;
      i += s;
    }
    if (count >= minHits) break;
  }
  return count >= minHits;
}

function isProbablySC(image: Uint8Array): boolean {
  const banks = Math.floor(image.length / 4096);
  for (let i = 0; i < banks; i++) {
    const first = image[i * 4096];
    for (let j = 0; j < 256; j++) if (image[i * 4096 + j] !== first) return false;
  }
  return true;
}

const isProbably3F = (img: Uint8Array) => searchForBytes(img, [0x85, 0x3f], 2);
const isProbably3E = (img: Uint8Array) => searchForBytes(img, [0x85, 0x3e, 0xa9, 0x00], 1);
const isProbablyUA = (img: Uint8Array) => searchForBytes(img, [0x8d, 0x40, 0x02], 1);
const isProbablyCV = (img: Uint8Array) =>
  searchForBytes(img, [0x9d, 0xff, 0xf3], 1) || searchForBytes(img, [0x99, 0x00, 0xf4], 1);
const isProbablyE0 = (img: Uint8Array) =>
  [
    [0x8d, 0xe0, 0x1f],
    [0x8d, 0xe0, 0x5f],
    [0x8d, 0xe9, 0xff],
    [0xad, 0xe9, 0xff],
    [0xad, 0xed, 0xff],
    [0xad, 0xf3, 0xbf],
  ].some((sig) => searchForBytes(img, sig, 1));
const isProbablyFE = (img: Uint8Array) =>
  [
    [0x20, 0x00, 0xd0, 0xc6, 0xc5],
    [0x20, 0xc3, 0xf8, 0xa5, 0x82],
    [0xd0, 0xfb, 0x20, 0x73, 0xfe],
    [0x20, 0x00, 0xf0, 0x84, 0xd6],
  ].some((sig) => searchForBytes(img, sig, 1));

function isProbablyE7(img: Uint8Array): boolean {
  if (img.length < 0x3a20) return false;
  const first = img[0x3800];
  for (let i = 0x3800; i < 0x3a00; i++) if (img[i] !== first) return false;
  let count = 0;
  for (let i = 0x3800 - 32; i < 0x3800; i++) if (img[i] !== first) count++;
  for (let i = 0x3a00; i < 0x3a20; i++) if (img[i] !== first) count++;
  return count > 0;
}

function sameHalves(img: Uint8Array, half: number): boolean {
  for (let i = 0; i < half; i++) if (img[i] !== img[i + half]) return false;
  return true;
}

/** The scheme name ALE's Stella would pick for this image. */
export function detectCartType(rom: Uint8Array): string {
  const size = rom.length;
  if (size !== 0 && size % 8448 === 0) return 'AR';
  if (size === 2048 || (size === 4096 && sameHalves(rom, 2048))) return isProbablyCV(rom) ? 'CV' : '2K';
  if (size === 4096) return isProbablyCV(rom) ? 'CV' : '4K';
  if (size === 8192) {
    if (isProbablySC(rom)) return 'F8SC';
    if (sameHalves(rom, 4096)) return '4K';
    if (isProbablyE0(rom)) return 'E0';
    if (isProbably3E(rom)) return '3E';
    if (isProbably3F(rom)) return '3F';
    if (isProbablyUA(rom)) return 'UA';
    if (isProbablyFE(rom)) return 'FE';
    return 'F8';
  }
  if (size === 10495 || size === 10496 || size === 10240) return 'DPC';
  if (size === 12288) return 'FA';
  if (size === 16384) {
    if (isProbablySC(rom)) return 'F6SC';
    if (isProbablyE7(rom)) return 'E7';
    if (isProbably3E(rom)) return '3E';
    if (isProbably3F(rom)) return '3F';
    return 'F6';
  }
  if (size === 32768) {
    if (isProbablySC(rom)) return 'F4SC';
    if (isProbably3E(rom)) return '3E';
    if (isProbably3F(rom)) return '3F';
    return 'F4';
  }
  if (isProbably3E(rom)) return '3E';
  if (isProbably3F(rom)) return '3F';
  throw new Error(`Unrecognized cartridge; ROM size was ${size}`);
}

/** Creates the cartridge for a ROM image (`type` forces a scheme; default: detection). */
export function createCartridge(rom: Uint8Array, type?: string): Cartridge {
  const md5 = md5Hex(rom);
  const scheme = type ?? detectCartType(rom);
  switch (scheme) {
    case '2K':
      return new Cart2K(rom);
    case '4K':
      return new Cart4K(rom);
    case 'F8':
      return new CartAtari(rom, ATARI_SCHEMES.F8!, F8_SWAPPED.has(md5) ? 0 : undefined);
    case 'F8SC':
    case 'F6':
    case 'F6SC':
    case 'F4':
    case 'F4SC':
    case 'FA':
      return new CartAtari(rom, ATARI_SCHEMES[scheme]!);
    case 'E0':
      return new CartE0(rom);
    case 'E7':
      return new CartE7(rom);
    case 'FE':
      return new CartFE(rom);
    case '3F':
      return new Cart3F(rom, false);
    case '3E':
      return new Cart3F(rom, true);
    case 'UA':
      return new CartUA(rom);
    case 'DPC':
      return new CartDPC(rom);
    default:
      throw new Error(`Cartridge scheme ${scheme} is not supported`);
  }
}
