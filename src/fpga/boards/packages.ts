// User I/O pins of the packages the boards use (facts about the parts; sources named per list).
import type { PackagePins } from '../board.js';

/** iCE40 UltraPlus, 48-pin QFN: the 39 I/O pins (39-41 are the RGB LED current sinks). */
export const SG48: PackagePins = {
  name: 'SG48',
  pins: '2 3 4 6 9 10 11 12 13 14 15 16 17 18 19 20 21 23 25 26 27 28 31 32 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48'.split(' '),
  source: 'Lattice iCE40 UltraPlus family data sheet (FPGA-DS-02008), SG48 pinout',
};

/** Artix-7 xc7a35t in CSG324: every user I/O ball (banks 14, 15, 16, 34, 35). */
export const CSG324_XC7A35T: PackagePins = {
  name: 'csg324',
  pins: (
    'R11 K17 K18 L14 M14 L15 L16 L18 M18 R12 R13 L13 M13 R18 T18 N14 P14 N17 P18 M16 M17 N15 N16 P17 R17 P15 R15 T14 T15 R16 T16 V15 V16 U17 U18 U16 V17 T11 U11 U12 V12 V10 V11 U14 V14 T13 U13 T9 T10 R10 ' +
    'G13 D14 C14 B13 B14 C12 B12 B11 A11 F13 F14 D12 D13 B16 B17 A15 A16 A13 A14 B18 A18 E15 E16 D15 C15 H16 G16 F15 F16 H14 G14 E17 D17 K13 J13 H17 G17 J14 H15 C16 C17 E18 D18 G18 F18 J17 J18 K15 J15 K16 ' +
    'D9 C9 B9 B8 A8 C11 C10 A10 A9 D10 ' +
    'K6 L1 M1 K3 L3 N2 N1 M3 M2 K5 L4 L6 L5 U1 V1 U4 U3 U2 V2 V5 V4 R3 T3 T5 T4 N5 P5 P4 P3 P2 R2 M4 N4 R1 T1 M6 N6 R6 R5 V7 V6 U9 V9 U7 U6 R7 T6 R8 T8 U8 ' +
    'F5 C6 C5 B7 B6 A6 A5 D8 C7 E6 E5 E7 D7 C4 B4 A4 A3 B1 A1 B3 B2 D5 D4 E3 D3 F4 F3 E2 D2 H2 G2 C2 C1 H1 G1 F1 E1 G6 F6 G4 G3 J4 H4 J3 J2 K2 K1 H6 H5 J5'
  ).split(' '),
  source: 'f4pga/prjxray-db artix7/xc7a35tcsg324-1/package_pins.csv (user I/O of banks 14-35)',
};

/** ECP5 in caBGA381: the user I/O balls. */
export const CABGA381: PackagePins = {
  name: 'CABGA381',
  pins: `A4 A5 B5 C5 C4 A3 B4 B3 E4 C3 D5 D3 F4 E5 E3 F5 A2 B2 B1 C2 C1 D2 D1 E1 H4 H5 G5 H3 G3 F2
    F3 E2 G2 H2 F1 G1 J4 J3 J5 K3 H1 K2 J1 K1 K4 L4 K5 L5 M5 M4 N4 N5 P5 N3 L3 M3 L2 N2 L1 M1
    N1 P1 P2 P3 P4 R1 U1 T1 V1 W1 V2 Y2 W2 T2 R2 U2 R3 T3 V3 U3 Y3 R4 V4 R5 W4 W5 T8 Y6 Y7 T9
    Y8 W8 T10 W9 W10 W11 Y11 Y12 W13 T11 W14 Y14 T12 Y15 Y16 T13 Y17 W17 T14 W18 Y19 W20 T17
    U16 U17 U18 T18 R18 U19 T19 U20 R20 T20 P20 P18 N20 P19 N19 T16 R17 P16 R16 N17 P17 M17
    N18 N16 M18 L17 L18 L16 M19 M20 L19 L20 K20 K19 J20 J19 K18 H20 J18 G19 G20 F19 F20 E20
    E19 D19 D20 C20 K17 K16 J16 H17 J17 H18 H16 G18 G16 F17 F18 E17 E18 D18 F16 E16 D17 C18
    B20 B19 A19 A18 B18 C17 A17 B17 D16 B16 C16 A16 E15 C15 D15 B15 A15 E14 C14 D14 A14 E13
    C13 D13 B13 A13 E12 A12 D12 C12 E11 B12 D11 C11 A11 B11 A10 B10 C10 A9 B9 E10 D10 C9 E9
    A8 D9 A7 B8 D8 C8 E8 C7 D7 C6 E7 D6 B6 E6 A6`
    .trim()
    .split(/\s+/),
  source: 'ECP5 caBGA381 user I/O list as published in kuznia-rdzeni/coreblocks constants/ecp5_pinout.py (every pin the amaranth-boards ULX3S file uses is in it)',
};
