;; Kernels of the chip functional model (src/functional/wasm-engine.ts), WebAssembly SIMD on a shared memory.
;; Every export has the MatmulPool signature (p, _, _, _, _, _, j0, j1): p is the byte offset of a parameter block
;; of i32 words (layouts below, mirrored by SCAN_* and LAYER_* in kernels.ts), [j0, j1) the slice a thread computes.
;;
;; scan:  one slice of positions-steps m: the nonzero, unmasked row inputs of each row tile become lists of weight-row
;;        byte offsets, sorted into buckets by input value (the kernels sum a bucket's rows, then scale by its value).
;; layer: one slice of 16-column vectors: for every m, the column sums of each tile (event-driven: only listed rows
;;        are read), the ADC, slice recombination and the saturating partial-sum chain in row-tile order, or, where
;;        the caller proved that the ADC cannot clip and nothing saturates ("fast" column tiles), one sum over all
;;        row tiles; then the neurons (a subset of the LIF rule, docs/lif.md) or the partial sums out.
;; touch: reads the same weight bytes as layer's sums without arithmetic (a memory-bound reference for the bench).
;;
;; Sums are exact: a chunk of at most floor(127 / maxabs) rows is added in i8 lanes (16 columns per instruction),
;; widened to i16 and scaled by the bucket's value, and the i16 accumulators are spilled to i32 before they could
;; overflow (the caller gives maxabs = the largest |weight| of the matrix).
(module
  (import "env" "mem" (memory 1 65536 shared))

;; ---- scan parameters (i32 words) ----
  ;; 0 M, 1 x (i8 [M][din]), 2 din, 3 R (rows per tile), 4 RT, 5 mask (u8 [din], 0xff enabled / 0 masked),
  ;; 6 lo, 7 hi (alphabet), 8 kind (0 binary, 1 signed, 2 graded, 3 graded-signed), 9 K, 10 nb (buckets),
  ;; 11 entries (i32 [M][cap]), 12 cap, 13 ends (i32 [M][nb][RT]: bucket-major, cumulative within m, so one
  ;; bucket's rows of all row tiles are contiguous), 14 masked (i32 [M][RT]), 15 wstride (bytes per weight row),
  ;; 16 bad (i32 flag, set to 1 on a value outside [lo, hi]), 17 groups (i32 [M][RT]: row groups with an active
  ;; row, the tile's weight_reads / G; written only when 18 Pr > 1), 19 active (i32 [M][RT]: active rows),
  ;; 20 xstride (bytes per row of x), 21 delay T (0: row m of x is m's input; T: m's input is row m - 1, and none
  ;; at a position's step 0: a layer fed by the spikes the layer below fired one step earlier)
  (func $bucket (param $x i32) (param $kind i32) (param $K i32) (result i32)
    (if (result i32) (i32.eqz (local.get $kind)) (then (i32.const 0))
      (else (if (result i32) (i32.eq (local.get $kind) (i32.const 1)) (then (i32.lt_s (local.get $x) (i32.const 0)))
        (else (if (result i32) (i32.eq (local.get $kind) (i32.const 2)) (then (i32.sub (local.get $x) (i32.const 1)))
          (else (if (result i32) (i32.gt_s (local.get $x) (i32.const 0)) (then (i32.sub (local.get $x) (i32.const 1)))
            (else (i32.sub (i32.sub (local.get $K) (local.get $x)) (i32.const 1)))))))))))

  (func (export "scan") (param $p i32) (param $u1 i32) (param $u2 i32) (param $u3 i32) (param $u4 i32) (param $u5 i32) (param $j0 i32) (param $j1 i32)
    (local $M i32) (local $x i32) (local $din i32) (local $R i32) (local $RT i32) (local $mask i32) (local $kind i32) (local $K i32)
    (local $nb i32) (local $entries i32) (local $cap i32) (local $ends i32) (local $wstride i32) (local $Pr i32)
    (local $vlo v128) (local $vhi v128) (local $bad i32)
    (local $m i32) (local $rt i32) (local $r0 i32) (local $r1 i32) (local $off i32) (local $valid i32) (local $act i32)
    (local $xrow i32) (local $ebase i32) (local $endsm i32) (local $eptr i32) (local $cnt i32) (local $cnt0 i32) (local $nmask i32)
    (local $pass i32) (local $ngroups i32) (local $nextg i32) (local $mt i32)
    (local $v v128) (local $nz v128) (local $mk v128) (local $b i32) (local $f i32) (local $run i32) (local $t i32)
    (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $nz1 v128) (local $nz2 v128) (local $nz3 v128)
    (local $mk1 v128) (local $mk2 v128) (local $mk3 v128) (local $act64 i64) (local $first i32) (local $stride i32)
    (local $xstride i32) (local $delay i32) (local $empty i32)
    (local.set $M (i32.load offset=0 (local.get $p)))
    (local.set $x (i32.load offset=4 (local.get $p)))
    (local.set $din (i32.load offset=8 (local.get $p)))
    (local.set $R (i32.load offset=12 (local.get $p)))
    (local.set $RT (i32.load offset=16 (local.get $p)))
    (local.set $mask (i32.load offset=20 (local.get $p)))
    (local.set $vlo (i8x16.splat (i32.load offset=24 (local.get $p))))
    (local.set $vhi (i8x16.splat (i32.load offset=28 (local.get $p))))
    (local.set $kind (i32.load offset=32 (local.get $p)))
    (local.set $K (i32.load offset=36 (local.get $p)))
    (local.set $nb (i32.load offset=40 (local.get $p)))
    (local.set $entries (i32.load offset=44 (local.get $p)))
    (local.set $cap (i32.load offset=48 (local.get $p)))
    (local.set $ends (i32.load offset=52 (local.get $p)))
    (local.set $wstride (i32.load offset=60 (local.get $p)))
    (local.set $Pr (i32.load offset=72 (local.get $p)))
    (local.set $xstride (i32.load offset=80 (local.get $p)))
    (local.set $delay (i32.load offset=84 (local.get $p)))
    (if (i32.gt_u (local.get $j1) (local.get $M)) (then (local.set $j1 (local.get $M))))
    (local.set $m (local.get $j0))
    (block $mend (loop $mloop
      (br_if $mend (i32.ge_u (local.get $m) (local.get $j1)))
      (local.set $empty (i32.and (i32.ne (local.get $delay) (i32.const 0)) (i32.eqz (i32.rem_u (local.get $m) (select (local.get $delay) (i32.const 1) (local.get $delay))))))
      (local.set $xrow (i32.add (local.get $x) (i32.mul (i32.sub (local.get $m) (i32.ne (local.get $delay) (i32.const 0))) (local.get $xstride))))
      (local.set $ebase (i32.add (local.get $entries) (i32.shl (i32.mul (local.get $m) (local.get $cap)) (i32.const 2))))
      (local.set $endsm (i32.add (local.get $ends) (i32.shl (i32.mul (i32.mul (local.get $m) (local.get $nb)) (local.get $RT)) (i32.const 2))))
      (local.set $cnt (i32.const 0))
      ;; one bucket: rows are written as found (pass 1 only). Several: pass 0 counts the rows of each (bucket, row
      ;; tile), the counts become starts in bucket-major order, and pass 1 places each row at its cursor
      (local.set $pass (i32.eq (local.get $nb) (i32.const 1)))
      (if (i32.eqz (local.get $pass)) (then (memory.fill (local.get $endsm) (i32.const 0) (i32.shl (i32.mul (local.get $nb) (local.get $RT)) (i32.const 2)))))
      (block $passend (loop $passloop
        (local.set $rt (i32.const 0))
        (block $rtend (loop $rtloop
          (br_if $rtend (i32.ge_u (local.get $rt) (local.get $RT)))
          (local.set $r0 (i32.mul (local.get $rt) (local.get $R)))
          (local.set $r1 (i32.add (local.get $r0) (local.get $R)))
          (if (i32.gt_u (local.get $r1) (local.get $din)) (then (local.set $r1 (local.get $din))))
          (if (local.get $empty) (then (local.set $r1 (local.get $r0)))) ;; no input: every row silent
          (local.set $mt (i32.shl (i32.add (i32.mul (local.get $m) (local.get $RT)) (local.get $rt)) (i32.const 2)))
          (local.set $nmask (i32.const 0))
          (local.set $ngroups (i32.const 0))
          (local.set $nextg (local.get $r0))
          (local.set $cnt0 (local.get $cnt))
          (local.set $off (local.get $r0))
          (block $cend (loop $cloop
            (br_if $cend (i32.ge_u (local.get $off) (local.get $r1)))
            (local.set $first (i32.or (i32.eqz (local.get $pass)) (i32.eq (local.get $nb) (i32.const 1))))
            (if (i32.ge_u (i32.sub (local.get $r1) (local.get $off)) (i32.const 64))
              (then
                ;; 64 rows at once: four bitmasks in one i64
                (local.set $v (v128.load offset=0 (i32.add (local.get $xrow) (local.get $off))))
                (local.set $v1 (v128.load offset=16 (i32.add (local.get $xrow) (local.get $off))))
                (local.set $v2 (v128.load offset=32 (i32.add (local.get $xrow) (local.get $off))))
                (local.set $v3 (v128.load offset=48 (i32.add (local.get $xrow) (local.get $off))))
                (local.set $nz (i8x16.ne (local.get $v) (v128.const i32x4 0 0 0 0)))
                (local.set $nz1 (i8x16.ne (local.get $v1) (v128.const i32x4 0 0 0 0)))
                (local.set $nz2 (i8x16.ne (local.get $v2) (v128.const i32x4 0 0 0 0)))
                (local.set $nz3 (i8x16.ne (local.get $v3) (v128.const i32x4 0 0 0 0)))
                (local.set $mk (v128.load offset=0 (i32.add (local.get $mask) (local.get $off))))
                (local.set $mk1 (v128.load offset=16 (i32.add (local.get $mask) (local.get $off))))
                (local.set $mk2 (v128.load offset=32 (i32.add (local.get $mask) (local.get $off))))
                (local.set $mk3 (v128.load offset=48 (i32.add (local.get $mask) (local.get $off))))
                (local.set $act64 (i64.or
                  (i64.or (i64.extend_i32_u (i8x16.bitmask (v128.and (local.get $nz) (local.get $mk))))
                          (i64.shl (i64.extend_i32_u (i8x16.bitmask (v128.and (local.get $nz1) (local.get $mk1)))) (i64.const 16)))
                  (i64.or (i64.shl (i64.extend_i32_u (i8x16.bitmask (v128.and (local.get $nz2) (local.get $mk2)))) (i64.const 32))
                          (i64.shl (i64.extend_i32_u (i8x16.bitmask (v128.and (local.get $nz3) (local.get $mk3)))) (i64.const 48)))))
                ;; the first pass over the inputs also checks them and counts masked rows
                (if (local.get $first) (then
                  (local.set $bad (i32.or (local.get $bad) (i8x16.bitmask (v128.or
                    (v128.or (v128.or (i8x16.gt_s (local.get $v) (local.get $vhi)) (i8x16.lt_s (local.get $v) (local.get $vlo)))
                             (v128.or (i8x16.gt_s (local.get $v1) (local.get $vhi)) (i8x16.lt_s (local.get $v1) (local.get $vlo))))
                    (v128.or (v128.or (i8x16.gt_s (local.get $v2) (local.get $vhi)) (i8x16.lt_s (local.get $v2) (local.get $vlo)))
                             (v128.or (i8x16.gt_s (local.get $v3) (local.get $vhi)) (i8x16.lt_s (local.get $v3) (local.get $vlo))))))))
                  (local.set $nmask (i32.add (local.get $nmask) (i32.add
                    (i32.add (i32.popcnt (i8x16.bitmask (v128.andnot (local.get $nz) (local.get $mk)))) (i32.popcnt (i8x16.bitmask (v128.andnot (local.get $nz1) (local.get $mk1)))))
                    (i32.add (i32.popcnt (i8x16.bitmask (v128.andnot (local.get $nz2) (local.get $mk2)))) (i32.popcnt (i8x16.bitmask (v128.andnot (local.get $nz3) (local.get $mk3))))))))))
                (local.set $stride (i32.const 64)))
              (else
                ;; 16 rows, the last ones of the tile masked by valid
                (local.set $valid (if (result i32) (i32.ge_u (i32.sub (local.get $r1) (local.get $off)) (i32.const 16))
                  (then (i32.const 0xffff))
                  (else (i32.sub (i32.shl (i32.const 1) (i32.sub (local.get $r1) (local.get $off))) (i32.const 1)))))
                (local.set $v (v128.load (i32.add (local.get $xrow) (local.get $off))))
                (local.set $mk (v128.load (i32.add (local.get $mask) (local.get $off))))
                (local.set $nz (i8x16.ne (local.get $v) (v128.const i32x4 0 0 0 0)))
                (local.set $act64 (i64.extend_i32_u (i32.and (local.get $valid) (i8x16.bitmask (v128.and (local.get $nz) (local.get $mk))))))
                (if (local.get $first) (then
                  (local.set $bad (i32.or (local.get $bad) (i32.and (local.get $valid)
                    (i8x16.bitmask (v128.or (i8x16.gt_s (local.get $v) (local.get $vhi)) (i8x16.lt_s (local.get $v) (local.get $vlo)))))))
                  (local.set $nmask (i32.add (local.get $nmask) (i32.popcnt (i32.and (local.get $valid) (i8x16.bitmask (v128.andnot (local.get $nz) (local.get $mk)))))))))
                (local.set $stride (i32.const 16))))
            (block $eend (loop $eloop
              (br_if $eend (i64.eqz (local.get $act64)))
              (local.set $t (i32.add (local.get $off) (i32.wrap_i64 (i64.ctz (local.get $act64)))))
              (if (i32.eq (local.get $nb) (i32.const 1))
                (then
                  (i32.store (i32.add (local.get $ebase) (i32.shl (local.get $cnt) (i32.const 2))) (i32.mul (local.get $t) (local.get $wstride)))
                  (local.set $cnt (i32.add (local.get $cnt) (i32.const 1))))
                (else
                  (local.set $b (call $bucket (i32.load8_s (i32.add (local.get $xrow) (local.get $t))) (local.get $kind) (local.get $K)))
                  ;; a bad value has no bucket: it goes to bucket 0 and the whole call is refused
                  (if (i32.ge_u (local.get $b) (local.get $nb)) (then (local.set $b (i32.const 0))))
                  (local.set $eptr (i32.add (local.get $endsm) (i32.shl (i32.add (i32.mul (local.get $b) (local.get $RT)) (local.get $rt)) (i32.const 2))))
                  (if (local.get $pass) (then
                    (i32.store (i32.add (local.get $ebase) (i32.shl (i32.load (local.get $eptr)) (i32.const 2))) (i32.mul (local.get $t) (local.get $wstride)))))
                  (i32.store (local.get $eptr) (i32.add (i32.load (local.get $eptr)) (i32.const 1)))
                  (local.set $cnt (i32.add (local.get $cnt) (i32.const 1)))))
              ;; rows come in ascending order: a row at or past the next group boundary opens a new row group
              (if (i32.and (i32.gt_u (local.get $Pr) (i32.const 1)) (i32.ge_u (local.get $t) (local.get $nextg))) (then
                (local.set $ngroups (i32.add (local.get $ngroups) (i32.const 1)))
                (local.set $nextg (i32.add (local.get $r0) (i32.mul (i32.add (i32.div_u (i32.sub (local.get $t) (local.get $r0)) (local.get $Pr)) (i32.const 1)) (local.get $Pr))))))
              (local.set $act64 (i64.and (local.get $act64) (i64.sub (local.get $act64) (i64.const 1))))
              (br $eloop)))
            (local.set $off (i32.add (local.get $off) (local.get $stride)))
            (br $cloop)))
          (if (i32.or (i32.eqz (local.get $pass)) (i32.eq (local.get $nb) (i32.const 1))) (then
            (if (i32.eq (local.get $nb) (i32.const 1)) (then (i32.store (i32.add (local.get $endsm) (i32.shl (local.get $rt) (i32.const 2))) (local.get $cnt))))
            (i32.store (i32.add (i32.load offset=56 (local.get $p)) (local.get $mt)) (local.get $nmask))
            (i32.store (i32.add (i32.load offset=76 (local.get $p)) (local.get $mt)) (i32.sub (local.get $cnt) (local.get $cnt0)))
            (if (i32.gt_u (local.get $Pr) (i32.const 1)) (then
              (i32.store (i32.add (i32.load offset=68 (local.get $p)) (local.get $mt)) (local.get $ngroups))))))
          (local.set $rt (i32.add (local.get $rt) (i32.const 1)))
          (br $rtloop)))
        (br_if $passend (local.get $pass))
        ;; counts -> starts, cumulative within m in bucket-major order; then the placing pass
        (local.set $run (i32.const 0))
        (local.set $f (i32.const 0))
        (loop $pl
          (local.set $eptr (i32.add (local.get $endsm) (i32.shl (local.get $f) (i32.const 2))))
          (local.set $t (i32.load (local.get $eptr)))
          (i32.store (local.get $eptr) (local.get $run))
          (local.set $run (i32.add (local.get $run) (local.get $t)))
          (local.set $f (i32.add (local.get $f) (i32.const 1)))
          (br_if $pl (i32.lt_u (local.get $f) (i32.mul (local.get $nb) (local.get $RT)))))
        (local.set $cnt (i32.const 0))
        (local.set $pass (i32.const 1))
        (br $passloop)))
      (local.set $m (i32.add (local.get $m) (i32.const 1)))
      (br $mloop)))
    (if (local.get $bad) (then (i32.store (i32.load offset=64 (local.get $p)) (i32.const 1))))
  )

;; ---- sums of one 64-column block for one m ----
  ;; The rows of nseg segments: segment j spans the bucket ends f .. f + span - 1, f = k0 + j * kstep (ends are
  ;; [bucket][row tile] within m: a whole bucket is k0 = b * RT, span RT; one (bucket, row tile) is span 1).
  ;; w: the matrix's address at this block's first column; e0: m's entries; endsm: m's bucket ends;
  ;; vals: value per bucket; n8 = floor(127 / maxabs) rows per i8 chunk; out = init (64 x i32) + the sums
  (func $acc (param $w i32) (param $e0 i32) (param $endsm i32) (param $k0 i32) (param $kstep i32) (param $nseg i32) (param $span i32)
             (param $RT i32) (param $vals i32) (param $n8 i32) (param $maxabs i32) (param $init i32) (param $out i32)
    (local $j i32) (local $f i32) (local $e i32) (local $eEnd i32) (local $cEnd i32) (local $p i32) (local $q i32) (local $val i32) (local $vabs i32)
    (local $used i32) (local $inc i32) (local $spilled i32) (local $vv v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $h0 v128) (local $h1 v128) (local $h2 v128) (local $h3 v128) (local $h4 v128) (local $h5 v128) (local $h6 v128) (local $h7 v128)
    (local.set $j (i32.const 0))
    (block $kend (loop $kloop
      (br_if $kend (i32.ge_u (local.get $j) (local.get $nseg)))
      (local.set $f (i32.add (local.get $k0) (i32.mul (local.get $j) (local.get $kstep))))
      (local.set $e (i32.add (local.get $e0) (i32.shl
        (if (result i32) (i32.eqz (local.get $f)) (then (i32.const 0)) (else (i32.load (i32.add (local.get $endsm) (i32.shl (i32.sub (local.get $f) (i32.const 1)) (i32.const 2))))))
        (i32.const 2))))
      (local.set $eEnd (i32.add (local.get $e0) (i32.shl (i32.load (i32.add (local.get $endsm) (i32.shl (i32.sub (i32.add (local.get $f) (local.get $span)) (i32.const 1)) (i32.const 2)))) (i32.const 2))))
      (local.set $val (i32.load (i32.add (local.get $vals) (i32.shl (i32.div_u (local.get $f) (local.get $RT)) (i32.const 2)))))
      (local.set $vabs (select (local.get $val) (i32.sub (i32.const 0) (local.get $val)) (i32.ge_s (local.get $val) (i32.const 0))))
      (local.set $vv (i16x8.splat (local.get $val)))
      (block $send (loop $chunk
        (br_if $send (i32.ge_u (local.get $e) (local.get $eEnd)))
        (local.set $cEnd (i32.add (local.get $e) (i32.shl (local.get $n8) (i32.const 2))))
        (if (i32.gt_u (local.get $cEnd) (local.get $eEnd)) (then (local.set $cEnd (local.get $eEnd))))
        ;; largest |change| of an i16 lane from this chunk: rows x maxabs x |value|
        (local.set $inc (i32.mul (i32.mul (i32.shr_u (i32.sub (local.get $cEnd) (local.get $e)) (i32.const 2)) (local.get $maxabs)) (local.get $vabs)))
        (if (i32.gt_u (i32.add (local.get $used) (local.get $inc)) (i32.const 32767)) (then
          ;; spill the i16 accumulators into the i32 sums before they could overflow
          (if (local.get $spilled) (then
            (v128.store offset=0 (local.get $out) (i32x4.add (v128.load offset=0 (local.get $out)) (i32x4.extend_low_i16x8_s (local.get $h0))))
            (v128.store offset=16 (local.get $out) (i32x4.add (v128.load offset=16 (local.get $out)) (i32x4.extend_high_i16x8_s (local.get $h0))))
            (v128.store offset=32 (local.get $out) (i32x4.add (v128.load offset=32 (local.get $out)) (i32x4.extend_low_i16x8_s (local.get $h1))))
            (v128.store offset=48 (local.get $out) (i32x4.add (v128.load offset=48 (local.get $out)) (i32x4.extend_high_i16x8_s (local.get $h1))))
            (v128.store offset=64 (local.get $out) (i32x4.add (v128.load offset=64 (local.get $out)) (i32x4.extend_low_i16x8_s (local.get $h2))))
            (v128.store offset=80 (local.get $out) (i32x4.add (v128.load offset=80 (local.get $out)) (i32x4.extend_high_i16x8_s (local.get $h2))))
            (v128.store offset=96 (local.get $out) (i32x4.add (v128.load offset=96 (local.get $out)) (i32x4.extend_low_i16x8_s (local.get $h3))))
            (v128.store offset=112 (local.get $out) (i32x4.add (v128.load offset=112 (local.get $out)) (i32x4.extend_high_i16x8_s (local.get $h3))))
            (v128.store offset=128 (local.get $out) (i32x4.add (v128.load offset=128 (local.get $out)) (i32x4.extend_low_i16x8_s (local.get $h4))))
            (v128.store offset=144 (local.get $out) (i32x4.add (v128.load offset=144 (local.get $out)) (i32x4.extend_high_i16x8_s (local.get $h4))))
            (v128.store offset=160 (local.get $out) (i32x4.add (v128.load offset=160 (local.get $out)) (i32x4.extend_low_i16x8_s (local.get $h5))))
            (v128.store offset=176 (local.get $out) (i32x4.add (v128.load offset=176 (local.get $out)) (i32x4.extend_high_i16x8_s (local.get $h5))))
            (v128.store offset=192 (local.get $out) (i32x4.add (v128.load offset=192 (local.get $out)) (i32x4.extend_low_i16x8_s (local.get $h6))))
            (v128.store offset=208 (local.get $out) (i32x4.add (v128.load offset=208 (local.get $out)) (i32x4.extend_high_i16x8_s (local.get $h6))))
            (v128.store offset=224 (local.get $out) (i32x4.add (v128.load offset=224 (local.get $out)) (i32x4.extend_low_i16x8_s (local.get $h7))))
            (v128.store offset=240 (local.get $out) (i32x4.add (v128.load offset=240 (local.get $out)) (i32x4.extend_high_i16x8_s (local.get $h7)))))
          (else
            (v128.store offset=0 (local.get $out) (i32x4.add (v128.load offset=0 (local.get $init)) (i32x4.extend_low_i16x8_s (local.get $h0))))
            (v128.store offset=16 (local.get $out) (i32x4.add (v128.load offset=16 (local.get $init)) (i32x4.extend_high_i16x8_s (local.get $h0))))
            (v128.store offset=32 (local.get $out) (i32x4.add (v128.load offset=32 (local.get $init)) (i32x4.extend_low_i16x8_s (local.get $h1))))
            (v128.store offset=48 (local.get $out) (i32x4.add (v128.load offset=48 (local.get $init)) (i32x4.extend_high_i16x8_s (local.get $h1))))
            (v128.store offset=64 (local.get $out) (i32x4.add (v128.load offset=64 (local.get $init)) (i32x4.extend_low_i16x8_s (local.get $h2))))
            (v128.store offset=80 (local.get $out) (i32x4.add (v128.load offset=80 (local.get $init)) (i32x4.extend_high_i16x8_s (local.get $h2))))
            (v128.store offset=96 (local.get $out) (i32x4.add (v128.load offset=96 (local.get $init)) (i32x4.extend_low_i16x8_s (local.get $h3))))
            (v128.store offset=112 (local.get $out) (i32x4.add (v128.load offset=112 (local.get $init)) (i32x4.extend_high_i16x8_s (local.get $h3))))
            (v128.store offset=128 (local.get $out) (i32x4.add (v128.load offset=128 (local.get $init)) (i32x4.extend_low_i16x8_s (local.get $h4))))
            (v128.store offset=144 (local.get $out) (i32x4.add (v128.load offset=144 (local.get $init)) (i32x4.extend_high_i16x8_s (local.get $h4))))
            (v128.store offset=160 (local.get $out) (i32x4.add (v128.load offset=160 (local.get $init)) (i32x4.extend_low_i16x8_s (local.get $h5))))
            (v128.store offset=176 (local.get $out) (i32x4.add (v128.load offset=176 (local.get $init)) (i32x4.extend_high_i16x8_s (local.get $h5))))
            (v128.store offset=192 (local.get $out) (i32x4.add (v128.load offset=192 (local.get $init)) (i32x4.extend_low_i16x8_s (local.get $h6))))
            (v128.store offset=208 (local.get $out) (i32x4.add (v128.load offset=208 (local.get $init)) (i32x4.extend_high_i16x8_s (local.get $h6))))
            (v128.store offset=224 (local.get $out) (i32x4.add (v128.load offset=224 (local.get $init)) (i32x4.extend_low_i16x8_s (local.get $h7))))
            (v128.store offset=240 (local.get $out) (i32x4.add (v128.load offset=240 (local.get $init)) (i32x4.extend_high_i16x8_s (local.get $h7))))
            (local.set $spilled (i32.const 1))))
          (local.set $h0 (v128.const i32x4 0 0 0 0)) (local.set $h1 (v128.const i32x4 0 0 0 0))
          (local.set $h2 (v128.const i32x4 0 0 0 0)) (local.set $h3 (v128.const i32x4 0 0 0 0))
          (local.set $h4 (v128.const i32x4 0 0 0 0)) (local.set $h5 (v128.const i32x4 0 0 0 0))
          (local.set $h6 (v128.const i32x4 0 0 0 0)) (local.set $h7 (v128.const i32x4 0 0 0 0))
          (local.set $used (i32.const 0))))
        (local.set $used (i32.add (local.get $used) (local.get $inc)))
        (local.set $a0 (v128.const i32x4 0 0 0 0)) (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0)) (local.set $a3 (v128.const i32x4 0 0 0 0))
        ;; two rows per iteration, then the odd one
        (block $r2end (loop $rows2
          (br_if $r2end (i32.gt_u (i32.add (local.get $e) (i32.const 8)) (local.get $cEnd)))
          (local.set $p (i32.add (local.get $w) (i32.load (local.get $e))))
          (local.set $q (i32.add (local.get $w) (i32.load offset=4 (local.get $e))))
          (local.set $a0 (i8x16.add (i8x16.add (local.get $a0) (v128.load offset=0 (local.get $p))) (v128.load offset=0 (local.get $q))))
          (local.set $a1 (i8x16.add (i8x16.add (local.get $a1) (v128.load offset=16 (local.get $p))) (v128.load offset=16 (local.get $q))))
          (local.set $a2 (i8x16.add (i8x16.add (local.get $a2) (v128.load offset=32 (local.get $p))) (v128.load offset=32 (local.get $q))))
          (local.set $a3 (i8x16.add (i8x16.add (local.get $a3) (v128.load offset=48 (local.get $p))) (v128.load offset=48 (local.get $q))))
          (local.set $e (i32.add (local.get $e) (i32.const 8)))
          (br $rows2)))
        (if (i32.lt_u (local.get $e) (local.get $cEnd)) (then
          (local.set $p (i32.add (local.get $w) (i32.load (local.get $e))))
          (local.set $a0 (i8x16.add (local.get $a0) (v128.load offset=0 (local.get $p))))
          (local.set $a1 (i8x16.add (local.get $a1) (v128.load offset=16 (local.get $p))))
          (local.set $a2 (i8x16.add (local.get $a2) (v128.load offset=32 (local.get $p))))
          (local.set $a3 (i8x16.add (local.get $a3) (v128.load offset=48 (local.get $p))))
          (local.set $e (i32.add (local.get $e) (i32.const 4)))))
        ;; widen to i16 and scale by the bucket's value (binary and signed inputs: +-1, no multiply)
        (if (i32.eq (local.get $val) (i32.const 1))
          (then
              (local.set $h0 (i16x8.add (local.get $h0) (i16x8.extend_low_i8x16_s (local.get $a0))))
              (local.set $h1 (i16x8.add (local.get $h1) (i16x8.extend_high_i8x16_s (local.get $a0))))
              (local.set $h2 (i16x8.add (local.get $h2) (i16x8.extend_low_i8x16_s (local.get $a1))))
              (local.set $h3 (i16x8.add (local.get $h3) (i16x8.extend_high_i8x16_s (local.get $a1))))
              (local.set $h4 (i16x8.add (local.get $h4) (i16x8.extend_low_i8x16_s (local.get $a2))))
              (local.set $h5 (i16x8.add (local.get $h5) (i16x8.extend_high_i8x16_s (local.get $a2))))
              (local.set $h6 (i16x8.add (local.get $h6) (i16x8.extend_low_i8x16_s (local.get $a3))))
              (local.set $h7 (i16x8.add (local.get $h7) (i16x8.extend_high_i8x16_s (local.get $a3)))))
          (else (if (i32.eq (local.get $val) (i32.const -1))
            (then
              (local.set $h0 (i16x8.sub (local.get $h0) (i16x8.extend_low_i8x16_s (local.get $a0))))
              (local.set $h1 (i16x8.sub (local.get $h1) (i16x8.extend_high_i8x16_s (local.get $a0))))
              (local.set $h2 (i16x8.sub (local.get $h2) (i16x8.extend_low_i8x16_s (local.get $a1))))
              (local.set $h3 (i16x8.sub (local.get $h3) (i16x8.extend_high_i8x16_s (local.get $a1))))
              (local.set $h4 (i16x8.sub (local.get $h4) (i16x8.extend_low_i8x16_s (local.get $a2))))
              (local.set $h5 (i16x8.sub (local.get $h5) (i16x8.extend_high_i8x16_s (local.get $a2))))
              (local.set $h6 (i16x8.sub (local.get $h6) (i16x8.extend_low_i8x16_s (local.get $a3))))
              (local.set $h7 (i16x8.sub (local.get $h7) (i16x8.extend_high_i8x16_s (local.get $a3)))))
            (else
              (local.set $h0 (i16x8.add (local.get $h0) (i16x8.mul (i16x8.extend_low_i8x16_s (local.get $a0)) (local.get $vv))))
              (local.set $h1 (i16x8.add (local.get $h1) (i16x8.mul (i16x8.extend_high_i8x16_s (local.get $a0)) (local.get $vv))))
              (local.set $h2 (i16x8.add (local.get $h2) (i16x8.mul (i16x8.extend_low_i8x16_s (local.get $a1)) (local.get $vv))))
              (local.set $h3 (i16x8.add (local.get $h3) (i16x8.mul (i16x8.extend_high_i8x16_s (local.get $a1)) (local.get $vv))))
              (local.set $h4 (i16x8.add (local.get $h4) (i16x8.mul (i16x8.extend_low_i8x16_s (local.get $a2)) (local.get $vv))))
              (local.set $h5 (i16x8.add (local.get $h5) (i16x8.mul (i16x8.extend_high_i8x16_s (local.get $a2)) (local.get $vv))))
              (local.set $h6 (i16x8.add (local.get $h6) (i16x8.mul (i16x8.extend_low_i8x16_s (local.get $a3)) (local.get $vv))))
              (local.set $h7 (i16x8.add (local.get $h7) (i16x8.mul (i16x8.extend_high_i8x16_s (local.get $a3)) (local.get $vv))))))))
        (br $chunk)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $kloop)))
    (if (local.get $spilled) (then
      (v128.store offset=0 (local.get $out) (i32x4.add (v128.load offset=0 (local.get $out)) (i32x4.extend_low_i16x8_s (local.get $h0))))
      (v128.store offset=16 (local.get $out) (i32x4.add (v128.load offset=16 (local.get $out)) (i32x4.extend_high_i16x8_s (local.get $h0))))
      (v128.store offset=32 (local.get $out) (i32x4.add (v128.load offset=32 (local.get $out)) (i32x4.extend_low_i16x8_s (local.get $h1))))
      (v128.store offset=48 (local.get $out) (i32x4.add (v128.load offset=48 (local.get $out)) (i32x4.extend_high_i16x8_s (local.get $h1))))
      (v128.store offset=64 (local.get $out) (i32x4.add (v128.load offset=64 (local.get $out)) (i32x4.extend_low_i16x8_s (local.get $h2))))
      (v128.store offset=80 (local.get $out) (i32x4.add (v128.load offset=80 (local.get $out)) (i32x4.extend_high_i16x8_s (local.get $h2))))
      (v128.store offset=96 (local.get $out) (i32x4.add (v128.load offset=96 (local.get $out)) (i32x4.extend_low_i16x8_s (local.get $h3))))
      (v128.store offset=112 (local.get $out) (i32x4.add (v128.load offset=112 (local.get $out)) (i32x4.extend_high_i16x8_s (local.get $h3))))
      (v128.store offset=128 (local.get $out) (i32x4.add (v128.load offset=128 (local.get $out)) (i32x4.extend_low_i16x8_s (local.get $h4))))
      (v128.store offset=144 (local.get $out) (i32x4.add (v128.load offset=144 (local.get $out)) (i32x4.extend_high_i16x8_s (local.get $h4))))
      (v128.store offset=160 (local.get $out) (i32x4.add (v128.load offset=160 (local.get $out)) (i32x4.extend_low_i16x8_s (local.get $h5))))
      (v128.store offset=176 (local.get $out) (i32x4.add (v128.load offset=176 (local.get $out)) (i32x4.extend_high_i16x8_s (local.get $h5))))
      (v128.store offset=192 (local.get $out) (i32x4.add (v128.load offset=192 (local.get $out)) (i32x4.extend_low_i16x8_s (local.get $h6))))
      (v128.store offset=208 (local.get $out) (i32x4.add (v128.load offset=208 (local.get $out)) (i32x4.extend_high_i16x8_s (local.get $h6))))
      (v128.store offset=224 (local.get $out) (i32x4.add (v128.load offset=224 (local.get $out)) (i32x4.extend_low_i16x8_s (local.get $h7))))
      (v128.store offset=240 (local.get $out) (i32x4.add (v128.load offset=240 (local.get $out)) (i32x4.extend_high_i16x8_s (local.get $h7)))))
    (else
      (v128.store offset=0 (local.get $out) (i32x4.add (v128.load offset=0 (local.get $init)) (i32x4.extend_low_i16x8_s (local.get $h0))))
      (v128.store offset=16 (local.get $out) (i32x4.add (v128.load offset=16 (local.get $init)) (i32x4.extend_high_i16x8_s (local.get $h0))))
      (v128.store offset=32 (local.get $out) (i32x4.add (v128.load offset=32 (local.get $init)) (i32x4.extend_low_i16x8_s (local.get $h1))))
      (v128.store offset=48 (local.get $out) (i32x4.add (v128.load offset=48 (local.get $init)) (i32x4.extend_high_i16x8_s (local.get $h1))))
      (v128.store offset=64 (local.get $out) (i32x4.add (v128.load offset=64 (local.get $init)) (i32x4.extend_low_i16x8_s (local.get $h2))))
      (v128.store offset=80 (local.get $out) (i32x4.add (v128.load offset=80 (local.get $init)) (i32x4.extend_high_i16x8_s (local.get $h2))))
      (v128.store offset=96 (local.get $out) (i32x4.add (v128.load offset=96 (local.get $init)) (i32x4.extend_low_i16x8_s (local.get $h3))))
      (v128.store offset=112 (local.get $out) (i32x4.add (v128.load offset=112 (local.get $init)) (i32x4.extend_high_i16x8_s (local.get $h3))))
      (v128.store offset=128 (local.get $out) (i32x4.add (v128.load offset=128 (local.get $init)) (i32x4.extend_low_i16x8_s (local.get $h4))))
      (v128.store offset=144 (local.get $out) (i32x4.add (v128.load offset=144 (local.get $init)) (i32x4.extend_high_i16x8_s (local.get $h4))))
      (v128.store offset=160 (local.get $out) (i32x4.add (v128.load offset=160 (local.get $init)) (i32x4.extend_low_i16x8_s (local.get $h5))))
      (v128.store offset=176 (local.get $out) (i32x4.add (v128.load offset=176 (local.get $init)) (i32x4.extend_high_i16x8_s (local.get $h5))))
      (v128.store offset=192 (local.get $out) (i32x4.add (v128.load offset=192 (local.get $init)) (i32x4.extend_low_i16x8_s (local.get $h6))))
      (v128.store offset=208 (local.get $out) (i32x4.add (v128.load offset=208 (local.get $init)) (i32x4.extend_high_i16x8_s (local.get $h6))))
      (v128.store offset=224 (local.get $out) (i32x4.add (v128.load offset=224 (local.get $init)) (i32x4.extend_low_i16x8_s (local.get $h7))))
      (v128.store offset=240 (local.get $out) (i32x4.add (v128.load offset=240 (local.get $init)) (i32x4.extend_high_i16x8_s (local.get $h7))))))
  )

  ;; horizontal sum of the four i32 lanes
  (func $hsum (param $v v128) (result i32)
    (i32.add (i32.add (i32x4.extract_lane 0 (local.get $v)) (i32x4.extract_lane 1 (local.get $v)))
             (i32.add (i32x4.extract_lane 2 (local.get $v)) (i32x4.extract_lane 3 (local.get $v)))))

  ;; ---- layer parameters (i32 words) ----
  ;; 0 M, 1 T (m = position * T + step), 2 width (CT * cpad internal columns), 3 cpad (columns per tile, multiple of
  ;; 64), 4 RT, 5 nb, 6 vals (i32 [nb]), 7 S, 8 slices (slice s matrix at slices + s * msize), 9 wstride (columns
  ;; of every [m][column] and [position][column] buffer), 10 msize, 11 full (the whole-weight matrix, fast tiles),
  ;; 12 sets (per column tile, 4 words: entries, ends, active, as scan wrote them), 13 cap, 14 modes (i32 [CT]: 1
  ;; fast), 15 shifts
  ;; (i32 [RT][CT]), 16 adcMin, 17 adcMax, 18 half-up (0/1), 19 psumMin, 20 psumMax, 21 log2 L, 22 maxabs (i32
  ;; [S + 1], the full matrix last), 23 bias (i32 [width]), 24 zout (i32 [M][wstride] or 0), 25 neurons (0/1),
  ;; 26 v (i32 [positions][wstride]), 27 spikes (i8 [M][wstride]), 28 restart (u8 [M]), 29 thetas (i32 [CT]),
  ;; 30 leaks (i32 [CT]), 31 leak mode (0 none, 1 subtract), 32 reset (0 zero, 1 subtract), 33 K, 34 signed,
  ;; 35 vMin, 36 vMax, 37 counts (i32 [RT][width / 64][2]: clipped, saturated), 38 scratch (768 bytes per
  ;; 64-column block), 39 CT, 40 zeros (256 zero bytes), 41 din. Matrices are block-major: 64-column block b
  ;; at b * din * 64, its row r at + r * 64 (scan's entries are r * 64)
  (func (export "layer") (param $p i32) (param $u1 i32) (param $u2 i32) (param $u3 i32) (param $u4 i32) (param $u5 i32) (param $j0 i32) (param $j1 i32)
    (local $M i32) (local $T i32) (local $width i32) (local $cpad i32) (local $RT i32) (local $nb i32) (local $vals i32) (local $S i32)
    (local $slices i32) (local $wstride i32) (local $msize i32) (local $full i32) (local $sets i32) (local $cap i32)
    (local $halfup i32) (local $sb i32) (local $maxabsp i32) (local $bias i32) (local $zout i32) (local $neurons i32)
    (local $vbase i32) (local $spk i32) (local $restart i32) (local $leakmode i32) (local $resetsub i32) (local $K i32) (local $signed i32)
    (local $counts i32) (local $CT i32) (local $nblocks i32)
    (local $vamin v128) (local $vamax v128) (local $vpmin v128) (local $vpmax v128) (local $vvmin v128) (local $vvmax v128)
    (local $col i32) (local $cb i32) (local $ct i32) (local $fast i32) (local $entries i32) (local $ends i32)
    (local $sum i32) (local $ybuf i32) (local $zbuf i32) (local $m i32) (local $e0 i32) (local $endsm i32) (local $rt i32) (local $s i32)
    (local $k0 i32) (local $k1 i32) (local $sh i32) (local $vhalf v128) (local $i i32) (local $t v128) (local $q v128) (local $clipv v128)
    (local $satv v128) (local $z v128) (local $cp i32) (local $n8 i32) (local $mx i32) (local $pos i32) (local $step i32)
    (local $vp i32) (local $theta i32) (local $vtheta v128) (local $vleak v128) (local $vnleak v128) (local $v v128) (local $u v128)
    (local $kp v128) (local $kn v128) (local $j i32) (local $jt v128) (local $kk v128)
    (local $sp i32) (local $rs i32) (local $onelevel i32) (local $active i32) (local $wblock i32)
    (local $f0 v128) (local $f1 v128) (local $f2 v128) (local $f3 v128)
    (local.set $M (i32.load offset=0 (local.get $p)))
    (local.set $T (i32.load offset=4 (local.get $p)))
    (local.set $width (i32.load offset=8 (local.get $p)))
    (local.set $cpad (i32.load offset=12 (local.get $p)))
    (local.set $RT (i32.load offset=16 (local.get $p)))
    (local.set $nb (i32.load offset=20 (local.get $p)))
    (local.set $vals (i32.load offset=24 (local.get $p)))
    (local.set $S (i32.load offset=28 (local.get $p)))
    (local.set $slices (i32.load offset=32 (local.get $p)))
    (local.set $wstride (i32.load offset=36 (local.get $p)))
    (local.set $msize (i32.load offset=40 (local.get $p)))
    (local.set $full (i32.load offset=44 (local.get $p)))
    (local.set $sets (i32.load offset=48 (local.get $p)))
    (local.set $cap (i32.load offset=52 (local.get $p)))
    (local.set $vamin (i32x4.splat (i32.load offset=64 (local.get $p))))
    (local.set $vamax (i32x4.splat (i32.load offset=68 (local.get $p))))
    (local.set $halfup (i32.load offset=72 (local.get $p)))
    (local.set $vpmin (i32x4.splat (i32.load offset=76 (local.get $p))))
    (local.set $vpmax (i32x4.splat (i32.load offset=80 (local.get $p))))
    (local.set $sb (i32.load offset=84 (local.get $p)))
    (local.set $maxabsp (i32.load offset=88 (local.get $p)))
    (local.set $bias (i32.load offset=92 (local.get $p)))
    (local.set $zout (i32.load offset=96 (local.get $p)))
    (local.set $neurons (i32.load offset=100 (local.get $p)))
    (local.set $vbase (i32.load offset=104 (local.get $p)))
    (local.set $spk (i32.load offset=108 (local.get $p)))
    (local.set $restart (i32.load offset=112 (local.get $p)))
    (local.set $leakmode (i32.load offset=124 (local.get $p)))
    (local.set $resetsub (i32.load offset=128 (local.get $p)))
    (local.set $K (i32.load offset=132 (local.get $p)))
    (local.set $signed (i32.load offset=136 (local.get $p)))
    (local.set $vvmin (i32x4.splat (i32.load offset=140 (local.get $p))))
    (local.set $vvmax (i32x4.splat (i32.load offset=144 (local.get $p))))
    (local.set $counts (i32.load offset=148 (local.get $p)))
    (local.set $CT (i32.load offset=156 (local.get $p)))
    (local.set $nblocks (i32.shr_u (local.get $width) (i32.const 6)))
    (local.set $onelevel (i32.and (i32.eq (local.get $K) (i32.const 1)) (i32.eqz (local.get $signed))))
    (local.set $col (i32.shl (local.get $j0) (i32.const 4)))
    (local.set $j1 (i32.shl (local.get $j1) (i32.const 4)))
    (if (i32.gt_u (local.get $j1) (local.get $width)) (then (local.set $j1 (local.get $width))))
    (block $colend (loop $colloop
      (br_if $colend (i32.ge_u (local.get $col) (local.get $j1)))
      (local.set $cb (i32.shr_u (local.get $col) (i32.const 6)))
      (local.set $wblock (i32.mul (local.get $col) (i32.load offset=164 (local.get $p))))
      (local.set $ct (i32.div_u (local.get $col) (local.get $cpad)))
      (local.set $fast (i32.load (i32.add (i32.load offset=56 (local.get $p)) (i32.shl (local.get $ct) (i32.const 2)))))
      (local.set $entries (i32.load (i32.add (local.get $sets) (i32.shl (local.get $ct) (i32.const 4)))))
      (local.set $ends (i32.load offset=4 (i32.add (local.get $sets) (i32.shl (local.get $ct) (i32.const 4)))))
      (local.set $active (i32.load offset=8 (i32.add (local.get $sets) (i32.shl (local.get $ct) (i32.const 4)))))
      (local.set $sum (i32.add (i32.load offset=152 (local.get $p)) (i32.mul (local.get $cb) (i32.const 768))))
      (local.set $ybuf (i32.add (local.get $sum) (i32.const 256)))
      (local.set $zbuf (i32.add (local.get $sum) (i32.const 512)))
      (local.set $theta (i32.load (i32.add (i32.load offset=116 (local.get $p)) (i32.shl (local.get $ct) (i32.const 2)))))
      (local.set $vtheta (i32x4.splat (local.get $theta)))
      (local.set $vleak (i32x4.splat (i32.load (i32.add (i32.load offset=120 (local.get $p)) (i32.shl (local.get $ct) (i32.const 2))))))
      (local.set $vnleak (i32x4.sub (v128.const i32x4 0 0 0 0) (local.get $vleak)))
      (local.set $m (i32.const 0))
      (local.set $pos (i32.const 0))
      (local.set $step (i32.const 0))
      (block $mend (loop $mloop
        (br_if $mend (i32.ge_u (local.get $m) (local.get $M)))
        (local.set $e0 (i32.add (local.get $entries) (i32.shl (i32.mul (local.get $m) (local.get $cap)) (i32.const 2))))
        (local.set $endsm (i32.add (local.get $ends) (i32.shl (i32.mul (i32.mul (local.get $m) (local.get $RT)) (local.get $nb)) (i32.const 2))))
        (if (local.get $fast) (then
          ;; one sum over every row tile (the caller proved: shift 0, no clipping, no saturation)
          (local.set $mx (i32.load (i32.add (local.get $maxabsp) (i32.shl (local.get $S) (i32.const 2)))))
          (local.set $n8 (if (result i32) (local.get $mx) (then (i32.div_u (i32.const 127) (local.get $mx))) (else (i32.const 127))))
          ;; each bucket's rows of all row tiles in one segment
          (call $acc (i32.add (local.get $full) (local.get $wblock)) (local.get $e0) (local.get $endsm) (i32.const 0) (local.get $RT) (local.get $nb) (local.get $RT)
            (local.get $RT) (local.get $vals) (local.get $n8) (local.get $mx) (i32.add (local.get $bias) (i32.shl (local.get $col) (i32.const 2))) (local.get $zbuf)))
        (else
          ;; tile by tile: z = bias, then for each row tile with an active row: ADC per slice, recombine, saturate
          (memory.copy (local.get $zbuf) (i32.add (local.get $bias) (i32.shl (local.get $col) (i32.const 2))) (i32.const 256))
          (local.set $rt (i32.const 0))
          (block $rtend (loop $rtloop
            (br_if $rtend (i32.ge_u (local.get $rt) (local.get $RT)))
            ;; a tile without active rows converts nothing: y = 0 and z passes unchanged
            (if (i32.load (i32.add (local.get $active) (i32.shl (i32.add (i32.mul (local.get $m) (local.get $RT)) (local.get $rt)) (i32.const 2))))
              (then
                (local.set $sh (i32.load (i32.add (i32.load offset=60 (local.get $p)) (i32.shl (i32.add (i32.mul (local.get $rt) (local.get $CT)) (local.get $ct)) (i32.const 2)))))
                (local.set $vhalf (i32x4.splat (if (result i32) (i32.and (local.get $halfup) (i32.gt_u (local.get $sh) (i32.const 0)))
                  (then (i32.shl (i32.const 1) (i32.sub (local.get $sh) (i32.const 1)))) (else (i32.const 0)))))
                (local.set $clipv (v128.const i32x4 0 0 0 0))
                (local.set $s (i32.const 0))
                (loop $sloop
                  (local.set $mx (i32.load (i32.add (local.get $maxabsp) (i32.shl (local.get $s) (i32.const 2)))))
                  (local.set $n8 (if (result i32) (local.get $mx) (then (i32.div_u (i32.const 127) (local.get $mx))) (else (i32.const 127))))
                  (call $acc (i32.add (i32.add (local.get $slices) (i32.mul (local.get $s) (local.get $msize))) (local.get $wblock))
                    (local.get $e0) (local.get $endsm) (local.get $rt) (local.get $RT) (local.get $nb) (i32.const 1) (local.get $RT) (local.get $vals) (local.get $n8) (local.get $mx)
                    (i32.load offset=160 (local.get $p)) (local.get $sum))
                  (local.set $i (i32.const 0))
                  (loop $adc
                    ;; floor: arithmetic shift; half-up: + 2^(sh-1) first (docs/crossbar.md, ADC); then clip to A bits
                    (local.set $t (i32x4.shr_s (i32x4.add (v128.load (i32.add (local.get $sum) (local.get $i))) (local.get $vhalf)) (local.get $sh)))
                    (local.set $q (i32x4.min_s (i32x4.max_s (local.get $t) (local.get $vamin)) (local.get $vamax)))
                    (local.set $clipv (i32x4.sub (local.get $clipv) (i32x4.ne (local.get $t) (local.get $q))))
                    (local.set $cp (i32.add (local.get $ybuf) (local.get $i)))
                    ;; y = sum over slices of q_s * L^s, L = 2^sb when S > 1
                    (if (i32.eqz (local.get $s))
                      (then (v128.store (local.get $cp) (local.get $q)))
                      (else (v128.store (local.get $cp) (i32x4.add (v128.load (local.get $cp)) (i32x4.shl (local.get $q) (i32.mul (local.get $s) (local.get $sb)))))))
                    (local.set $i (i32.add (local.get $i) (i32.const 16)))
                    (br_if $adc (i32.lt_u (local.get $i) (i32.const 256))))
                  (local.set $s (i32.add (local.get $s) (i32.const 1)))
                  (br_if $sloop (i32.lt_u (local.get $s) (local.get $S))))
                (local.set $satv (v128.const i32x4 0 0 0 0))
                (local.set $i (i32.const 0))
                (loop $chain
                  (local.set $cp (i32.add (local.get $zbuf) (local.get $i)))
                  (local.set $t (i32x4.add (v128.load (local.get $cp)) (v128.load (i32.add (local.get $ybuf) (local.get $i)))))
                  (local.set $z (i32x4.min_s (i32x4.max_s (local.get $t) (local.get $vpmin)) (local.get $vpmax)))
                  (local.set $satv (i32x4.sub (local.get $satv) (i32x4.ne (local.get $t) (local.get $z))))
                  (v128.store (local.get $cp) (local.get $z))
                  (local.set $i (i32.add (local.get $i) (i32.const 16)))
                  (br_if $chain (i32.lt_u (local.get $i) (i32.const 256))))
                (local.set $cp (i32.add (local.get $counts) (i32.shl (i32.add (i32.mul (local.get $rt) (local.get $nblocks)) (local.get $cb)) (i32.const 3))))
                (i32.store (local.get $cp) (i32.add (i32.load (local.get $cp)) (call $hsum (local.get $clipv))))
                (i32.store offset=4 (local.get $cp) (i32.add (i32.load offset=4 (local.get $cp)) (call $hsum (local.get $satv))))))
            (local.set $rt (i32.add (local.get $rt) (i32.const 1)))
            (br $rtloop)))))
        (if (local.get $zout) (then
          (memory.copy (i32.add (local.get $zout) (i32.shl (i32.add (i32.mul (local.get $m) (local.get $wstride)) (local.get $col)) (i32.const 2))) (local.get $zbuf) (i32.const 256))))
        (if (local.get $neurons) (then
          ;; the LIF rule (docs/lif.md) for refractory 0 and leak none/subtract; the caller checked that l + I cannot
          ;; overflow i32 (vWidth, P <= 31) and that K * theta fits
          (local.set $vp (i32.add (local.get $vbase) (i32.shl (i32.add (i32.mul (local.get $pos) (local.get $wstride)) (local.get $col)) (i32.const 2))))
          (local.set $sp (i32.add (local.get $spk) (i32.add (i32.mul (local.get $m) (local.get $wstride)) (local.get $col))))
          (local.set $rs (i32.load8_u (i32.add (local.get $restart) (local.get $m))))
          (if (local.get $onelevel)
            (then
              ;; binary spikes, 16 neurons at a time: k = u >= theta; the four masks narrow to 16 spike bytes
              (local.set $i (i32.const 0))
              (loop $n16
                (local.set $v (if (result v128) (local.get $rs) (then (v128.const i32x4 0 0 0 0)) (else (v128.load offset=0 (i32.add (local.get $vp) (local.get $i))))))
                (if (local.get $leakmode) (then
                  (local.set $v (i32x4.sub (local.get $v) (i32x4.min_s (i32x4.max_s (local.get $v) (local.get $vnleak)) (local.get $vleak))))))
                (local.set $u (i32x4.min_s (i32x4.max_s (i32x4.add (local.get $v) (v128.load offset=0 (i32.add (local.get $zbuf) (local.get $i)))) (local.get $vvmin)) (local.get $vvmax)))
                (local.set $f0 (i32x4.ge_s (local.get $u) (local.get $vtheta)))
                (v128.store offset=0 (i32.add (local.get $vp) (local.get $i))
                  (if (result v128) (local.get $resetsub)
                    (then (i32x4.sub (local.get $u) (v128.and (local.get $f0) (local.get $vtheta))))
                    (else (v128.andnot (local.get $u) (local.get $f0)))))
                (local.set $v (if (result v128) (local.get $rs) (then (v128.const i32x4 0 0 0 0)) (else (v128.load offset=16 (i32.add (local.get $vp) (local.get $i))))))
                (if (local.get $leakmode) (then
                  (local.set $v (i32x4.sub (local.get $v) (i32x4.min_s (i32x4.max_s (local.get $v) (local.get $vnleak)) (local.get $vleak))))))
                (local.set $u (i32x4.min_s (i32x4.max_s (i32x4.add (local.get $v) (v128.load offset=16 (i32.add (local.get $zbuf) (local.get $i)))) (local.get $vvmin)) (local.get $vvmax)))
                (local.set $f1 (i32x4.ge_s (local.get $u) (local.get $vtheta)))
                (v128.store offset=16 (i32.add (local.get $vp) (local.get $i))
                  (if (result v128) (local.get $resetsub)
                    (then (i32x4.sub (local.get $u) (v128.and (local.get $f1) (local.get $vtheta))))
                    (else (v128.andnot (local.get $u) (local.get $f1)))))
                (local.set $v (if (result v128) (local.get $rs) (then (v128.const i32x4 0 0 0 0)) (else (v128.load offset=32 (i32.add (local.get $vp) (local.get $i))))))
                (if (local.get $leakmode) (then
                  (local.set $v (i32x4.sub (local.get $v) (i32x4.min_s (i32x4.max_s (local.get $v) (local.get $vnleak)) (local.get $vleak))))))
                (local.set $u (i32x4.min_s (i32x4.max_s (i32x4.add (local.get $v) (v128.load offset=32 (i32.add (local.get $zbuf) (local.get $i)))) (local.get $vvmin)) (local.get $vvmax)))
                (local.set $f2 (i32x4.ge_s (local.get $u) (local.get $vtheta)))
                (v128.store offset=32 (i32.add (local.get $vp) (local.get $i))
                  (if (result v128) (local.get $resetsub)
                    (then (i32x4.sub (local.get $u) (v128.and (local.get $f2) (local.get $vtheta))))
                    (else (v128.andnot (local.get $u) (local.get $f2)))))
                (local.set $v (if (result v128) (local.get $rs) (then (v128.const i32x4 0 0 0 0)) (else (v128.load offset=48 (i32.add (local.get $vp) (local.get $i))))))
                (if (local.get $leakmode) (then
                  (local.set $v (i32x4.sub (local.get $v) (i32x4.min_s (i32x4.max_s (local.get $v) (local.get $vnleak)) (local.get $vleak))))))
                (local.set $u (i32x4.min_s (i32x4.max_s (i32x4.add (local.get $v) (v128.load offset=48 (i32.add (local.get $zbuf) (local.get $i)))) (local.get $vvmin)) (local.get $vvmax)))
                (local.set $f3 (i32x4.ge_s (local.get $u) (local.get $vtheta)))
                (v128.store offset=48 (i32.add (local.get $vp) (local.get $i))
                  (if (result v128) (local.get $resetsub)
                    (then (i32x4.sub (local.get $u) (v128.and (local.get $f3) (local.get $vtheta))))
                    (else (v128.andnot (local.get $u) (local.get $f3)))))
                (v128.store (i32.add (local.get $sp) (i32.shr_u (local.get $i) (i32.const 2)))
                  (v128.and (v128.const i8x16 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1)
                    (i8x16.narrow_i16x8_s (i16x8.narrow_i32x4_s (local.get $f0) (local.get $f1)) (i16x8.narrow_i32x4_s (local.get $f2) (local.get $f3)))))
                (local.set $i (i32.add (local.get $i) (i32.const 64)))
                (br_if $n16 (i32.lt_u (local.get $i) (i32.const 256)))))
            (else
              ;; k = #{j in 1..K : u >= j theta}, else for signed alphabets -#{j : u <= -j theta}; k as i32 into ybuf,
              ;; narrowed to i8 below
              (local.set $i (i32.const 0))
              (loop $nloop
                (local.set $v (if (result v128) (local.get $rs) (then (v128.const i32x4 0 0 0 0)) (else (v128.load (i32.add (local.get $vp) (local.get $i))))))
                (if (local.get $leakmode) (then
                  (local.set $v (i32x4.sub (local.get $v) (i32x4.min_s (i32x4.max_s (local.get $v) (local.get $vnleak)) (local.get $vleak))))))
                (local.set $u (i32x4.min_s (i32x4.max_s (i32x4.add (local.get $v) (v128.load (i32.add (local.get $zbuf) (local.get $i)))) (local.get $vvmin)) (local.get $vvmax)))
                (local.set $kp (v128.const i32x4 0 0 0 0))
                (local.set $kn (v128.const i32x4 0 0 0 0))
                (local.set $j (i32.const 1))
                (loop $jl
                  (local.set $jt (i32x4.splat (i32.mul (local.get $j) (local.get $theta))))
                  (local.set $kp (i32x4.sub (local.get $kp) (i32x4.ge_s (local.get $u) (local.get $jt))))
                  (if (local.get $signed) (then
                    (local.set $kn (i32x4.add (local.get $kn) (i32x4.le_s (local.get $u) (i32x4.sub (v128.const i32x4 0 0 0 0) (local.get $jt)))))))
                  (local.set $j (i32.add (local.get $j) (i32.const 1)))
                  (br_if $jl (i32.le_u (local.get $j) (local.get $K))))
                (local.set $kk (v128.bitselect (local.get $kp) (local.get $kn) (i32x4.ne (local.get $kp) (v128.const i32x4 0 0 0 0))))
                (v128.store (i32.add (local.get $vp) (local.get $i))
                  (if (result v128) (local.get $resetsub)
                    (then (i32x4.sub (local.get $u) (i32x4.mul (local.get $kk) (local.get $vtheta))))
                    (else (v128.andnot (local.get $u) (i32x4.ne (local.get $kk) (v128.const i32x4 0 0 0 0))))))
                (v128.store (i32.add (local.get $ybuf) (local.get $i)) (local.get $kk))
                (local.set $i (i32.add (local.get $i) (i32.const 16)))
                (br_if $nloop (i32.lt_u (local.get $i) (i32.const 256))))
              (local.set $i (i32.const 0))
              (loop $narrow
                (local.set $cp (i32.add (local.get $ybuf) (i32.shl (local.get $i) (i32.const 2))))
                (v128.store (i32.add (local.get $sp) (local.get $i))
                  (i8x16.narrow_i16x8_s
                    (i16x8.narrow_i32x4_s (v128.load offset=0 (local.get $cp)) (v128.load offset=16 (local.get $cp)))
                    (i16x8.narrow_i32x4_s (v128.load offset=32 (local.get $cp)) (v128.load offset=48 (local.get $cp)))))
                (local.set $i (i32.add (local.get $i) (i32.const 16)))
                (br_if $narrow (i32.lt_u (local.get $i) (i32.const 64))))))))
        (local.set $m (i32.add (local.get $m) (i32.const 1)))
        (local.set $step (i32.add (local.get $step) (i32.const 1)))
        (if (i32.eq (local.get $step) (local.get $T)) (then
          (local.set $step (i32.const 0))
          (local.set $pos (i32.add (local.get $pos) (i32.const 1)))))
        (br $mloop)))
      (local.set $col (i32.add (local.get $col) (i32.const 64)))
      (br $colloop)))
  )

  ;; ---- touch: the weight bytes layer's sums read (fast column tiles), without arithmetic ----
  (func (export "touch") (param $p i32) (param $u1 i32) (param $u2 i32) (param $u3 i32) (param $u4 i32) (param $u5 i32) (param $j0 i32) (param $j1 i32)
    (local $M i32) (local $width i32) (local $RT i32) (local $nb i32) (local $full i32) (local $sets i32) (local $cap i32) (local $cpad i32)
    (local $col i32) (local $ct i32) (local $entries i32) (local $ends i32) (local $m i32) (local $e i32) (local $eEnd i32) (local $w i32) (local $pp i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $M (i32.load offset=0 (local.get $p)))
    (local.set $width (i32.load offset=8 (local.get $p)))
    (local.set $cpad (i32.load offset=12 (local.get $p)))
    (local.set $RT (i32.load offset=16 (local.get $p)))
    (local.set $nb (i32.load offset=20 (local.get $p)))
    (local.set $full (i32.load offset=44 (local.get $p)))
    (local.set $sets (i32.load offset=48 (local.get $p)))
    (local.set $cap (i32.load offset=52 (local.get $p)))
    (local.set $col (i32.shl (local.get $j0) (i32.const 4)))
    (local.set $j1 (i32.shl (local.get $j1) (i32.const 4)))
    (if (i32.gt_u (local.get $j1) (local.get $width)) (then (local.set $j1 (local.get $width))))
    (block $colend (loop $colloop
      (br_if $colend (i32.ge_u (local.get $col) (local.get $j1)))
      (local.set $ct (i32.div_u (local.get $col) (local.get $cpad)))
      (local.set $entries (i32.load (i32.add (local.get $sets) (i32.shl (local.get $ct) (i32.const 4)))))
      (local.set $ends (i32.load offset=4 (i32.add (local.get $sets) (i32.shl (local.get $ct) (i32.const 4)))))
      (local.set $w (i32.add (local.get $full) (i32.mul (local.get $col) (i32.load offset=164 (local.get $p)))))
      (local.set $m (i32.const 0))
      (block $mend (loop $mloop
        (br_if $mend (i32.ge_u (local.get $m) (local.get $M)))
        (local.set $e (i32.add (local.get $entries) (i32.shl (i32.mul (local.get $m) (local.get $cap)) (i32.const 2))))
        (local.set $eEnd (i32.add (local.get $e) (i32.shl (i32.load (i32.add (local.get $ends)
          (i32.shl (i32.sub (i32.mul (i32.mul (i32.add (local.get $m) (i32.const 1)) (local.get $RT)) (local.get $nb)) (i32.const 1)) (i32.const 2)))) (i32.const 2))))
        (block $rend (loop $rloop
          (br_if $rend (i32.ge_u (local.get $e) (local.get $eEnd)))
          (local.set $pp (i32.add (local.get $w) (i32.load (local.get $e))))
          (local.set $a0 (v128.or (local.get $a0) (v128.load offset=0 (local.get $pp))))
          (local.set $a1 (v128.or (local.get $a1) (v128.load offset=16 (local.get $pp))))
          (local.set $a2 (v128.or (local.get $a2) (v128.load offset=32 (local.get $pp))))
          (local.set $a3 (v128.or (local.get $a3) (v128.load offset=48 (local.get $pp))))
          (local.set $e (i32.add (local.get $e) (i32.const 4)))
          (br $rloop)))
        (local.set $m (i32.add (local.get $m) (i32.const 1)))
        (br $mloop)))
      (local.set $col (i32.add (local.get $col) (i32.const 64)))
      (br $colloop)))
    ;; keep the loads observable
    (v128.store (i32.load offset=152 (local.get $p)) (v128.or (v128.or (local.get $a0) (local.get $a1)) (v128.or (local.get $a2) (local.get $a3))))
  )
)
