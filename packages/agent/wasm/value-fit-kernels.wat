;; The value fit's kernels (packages/agent/src/policies/simd-mlp-regression.ts) in WebAssembly with 128-bit SIMD:
;; the matrix products of the forward and backward passes and Adam's update.
;;
;; Every result is the scalar JavaScript path's (math/gemm.ts, math/adam-moments.ts) to the last bit: storage is
;; float32, arithmetic float64, and each sum runs over its terms in the same order from 0. The two float64 lanes
;; of a vector hold two independent outputs (neighbouring columns of C, neighbouring parameters), never two parts
;; of one sum, and there is no fused multiply-add, so each output sees exactly the roundings of the scalar code.
;;
;; Pointers are byte offsets into the exported memory; counts and strides are in elements. Address 0 is never a
;; buffer (the caller keeps the first 16 bytes free), so a bias pointer of 0 means "no bias".
;;
;; Rebuild: `pnpm build:wasm` (wabt's wat2wasm); a test checks the committed binary.
(module
  (memory (export "memory") 1)

  ;; C[i, j] = Σ_p A[i·sai + p·sap] · B[p·n + j]  (+ bias[j] when bias ≠ 0), for i < m, j < n, p < k.
  ;; A, bias and C are float32; B is float64 (float32 values, promoted once by the caller); sums are float64 and
  ;; C is stored rounded to float32. Rows two at a time, so that each load of B serves two rows (B is the larger
  ;; operand when the rows are wide, e.g. the first layer of a 348-input net): eight columns at a time (four
  ;; vectors of two per row), the rest of the columns of each row by $row; a last odd row by $row alone.
  (func (export "gemm")
    (param $a i32) (param $sai i32) (param $sap i32) (param $b i32) (param $bias i32) (param $c i32)
    (param $m i32) (param $n i32) (param $k i32)
    (local $i i32) (local $j i32) (local $p i32) (local $pa i32) (local $pb i32)
    (local $arow i32) (local $crow i32) (local $arow2 i32) (local $crow2 i32) (local $astep i32) (local $bstep i32)
    (local $x v128) (local $y v128) (local $bv v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $astep (i32.shl (local.get $sap) (i32.const 2)))
    (local.set $bstep (i32.shl (local.get $n) (i32.const 3)))
    (block $pairs_done
      (loop $pairs
        (br_if $pairs_done (i32.gt_u (i32.add (local.get $i) (i32.const 2)) (local.get $m)))
        (local.set $arow
          (i32.add (local.get $a) (i32.shl (i32.mul (local.get $i) (local.get $sai)) (i32.const 2))))
        (local.set $arow2 (i32.add (local.get $arow) (i32.shl (local.get $sai) (i32.const 2))))
        (local.set $crow
          (i32.add (local.get $c) (i32.shl (i32.mul (local.get $i) (local.get $n)) (i32.const 2))))
        (local.set $crow2 (i32.add (local.get $crow) (i32.shl (local.get $n) (i32.const 2))))
        (local.set $j (i32.const 0))

        ;; eight columns of both rows: four running vector sums each (s: the first row, t: the second)
        (block $eights_done
          (loop $eights
            (br_if $eights_done (i32.gt_u (i32.add (local.get $j) (i32.const 8)) (local.get $n)))
            (local.set $s0 (v128.const f64x2 0 0))
            (local.set $s1 (v128.const f64x2 0 0))
            (local.set $s2 (v128.const f64x2 0 0))
            (local.set $s3 (v128.const f64x2 0 0))
            (local.set $t0 (v128.const f64x2 0 0))
            (local.set $t1 (v128.const f64x2 0 0))
            (local.set $t2 (v128.const f64x2 0 0))
            (local.set $t3 (v128.const f64x2 0 0))
            (local.set $pa (i32.const 0))
            (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 3))))
            (local.set $p (local.get $k))
            (block $terms_done
              (loop $terms
                (br_if $terms_done (i32.eqz (local.get $p)))
                (local.set $x (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $arow) (local.get $pa))))))
                (local.set $y (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $arow2) (local.get $pa))))))
                (local.set $bv (v128.load (local.get $pb)))
                (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $x) (local.get $bv))))
                (local.set $t0 (f64x2.add (local.get $t0) (f64x2.mul (local.get $y) (local.get $bv))))
                (local.set $bv (v128.load offset=16 (local.get $pb)))
                (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $x) (local.get $bv))))
                (local.set $t1 (f64x2.add (local.get $t1) (f64x2.mul (local.get $y) (local.get $bv))))
                (local.set $bv (v128.load offset=32 (local.get $pb)))
                (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $x) (local.get $bv))))
                (local.set $t2 (f64x2.add (local.get $t2) (f64x2.mul (local.get $y) (local.get $bv))))
                (local.set $bv (v128.load offset=48 (local.get $pb)))
                (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $x) (local.get $bv))))
                (local.set $t3 (f64x2.add (local.get $t3) (f64x2.mul (local.get $y) (local.get $bv))))
                (local.set $pa (i32.add (local.get $pa) (local.get $astep)))
                (local.set $pb (i32.add (local.get $pb) (local.get $bstep)))
                (local.set $p (i32.sub (local.get $p) (i32.const 1)))
                (br $terms)))
            (if (local.get $bias)
              (then
                (local.set $pa (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2))))
                (local.set $bv (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $pa))))
                (local.set $s0 (f64x2.add (local.get $s0) (local.get $bv)))
                (local.set $t0 (f64x2.add (local.get $t0) (local.get $bv)))
                (local.set $bv (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $pa))))
                (local.set $s1 (f64x2.add (local.get $s1) (local.get $bv)))
                (local.set $t1 (f64x2.add (local.get $t1) (local.get $bv)))
                (local.set $bv (f64x2.promote_low_f32x4 (v128.load64_zero offset=16 (local.get $pa))))
                (local.set $s2 (f64x2.add (local.get $s2) (local.get $bv)))
                (local.set $t2 (f64x2.add (local.get $t2) (local.get $bv)))
                (local.set $bv (f64x2.promote_low_f32x4 (v128.load64_zero offset=24 (local.get $pa))))
                (local.set $s3 (f64x2.add (local.get $s3) (local.get $bv)))
                (local.set $t3 (f64x2.add (local.get $t3) (local.get $bv)))))
            (local.set $pa (i32.add (local.get $crow) (i32.shl (local.get $j) (i32.const 2))))
            (v128.store64_lane 0 (local.get $pa) (f32x4.demote_f64x2_zero (local.get $s0)))
            (v128.store64_lane offset=8 0 (local.get $pa) (f32x4.demote_f64x2_zero (local.get $s1)))
            (v128.store64_lane offset=16 0 (local.get $pa) (f32x4.demote_f64x2_zero (local.get $s2)))
            (v128.store64_lane offset=24 0 (local.get $pa) (f32x4.demote_f64x2_zero (local.get $s3)))
            (local.set $pa (i32.add (local.get $crow2) (i32.shl (local.get $j) (i32.const 2))))
            (v128.store64_lane 0 (local.get $pa) (f32x4.demote_f64x2_zero (local.get $t0)))
            (v128.store64_lane offset=8 0 (local.get $pa) (f32x4.demote_f64x2_zero (local.get $t1)))
            (v128.store64_lane offset=16 0 (local.get $pa) (f32x4.demote_f64x2_zero (local.get $t2)))
            (v128.store64_lane offset=24 0 (local.get $pa) (f32x4.demote_f64x2_zero (local.get $t3)))
            (local.set $j (i32.add (local.get $j) (i32.const 8)))
            (br $eights)))

        (call $row (local.get $arow) (local.get $astep) (local.get $b) (local.get $bstep) (local.get $bias)
          (local.get $crow) (local.get $n) (local.get $k) (local.get $j))
        (call $row (local.get $arow2) (local.get $astep) (local.get $b) (local.get $bstep) (local.get $bias)
          (local.get $crow2) (local.get $n) (local.get $k) (local.get $j))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $pairs)))
    (if (i32.lt_u (local.get $i) (local.get $m))
      (then
        (call $row
          (i32.add (local.get $a) (i32.shl (i32.mul (local.get $i) (local.get $sai)) (i32.const 2)))
          (local.get $astep) (local.get $b) (local.get $bstep) (local.get $bias)
          (i32.add (local.get $c) (i32.shl (i32.mul (local.get $i) (local.get $n)) (i32.const 2)))
          (local.get $n) (local.get $k) (i32.const 0)))))

  ;; Columns j, j + 1, ..., n − 1 of one row of gemm's C (the row's A at $arow, its C at $crow; $astep and $bstep
  ;; in bytes): eight columns at a time (four vectors of two), then two, then one.
  (func $row
    (param $arow i32) (param $astep i32) (param $b i32) (param $bstep i32) (param $bias i32) (param $crow i32)
    (param $n i32) (param $k i32) (param $j i32)
    (local $p i32) (local $pa i32) (local $pb i32)
    (local $x v128) (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $s f64)
    ;; eight columns: four running vector sums
    (block $eights_done
      (loop $eights
        (br_if $eights_done (i32.gt_u (i32.add (local.get $j) (i32.const 8)) (local.get $n)))
        (local.set $s0 (v128.const f64x2 0 0))
        (local.set $s1 (v128.const f64x2 0 0))
        (local.set $s2 (v128.const f64x2 0 0))
        (local.set $s3 (v128.const f64x2 0 0))
        (local.set $pa (local.get $arow))
        (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $p (local.get $k))
        (block $terms_done
          (loop $terms
            (br_if $terms_done (i32.eqz (local.get $p)))
            (local.set $x (f64x2.splat (f64.promote_f32 (f32.load (local.get $pa)))))
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $x) (v128.load (local.get $pb)))))
            (local.set $s1
              (f64x2.add (local.get $s1) (f64x2.mul (local.get $x) (v128.load offset=16 (local.get $pb)))))
            (local.set $s2
              (f64x2.add (local.get $s2) (f64x2.mul (local.get $x) (v128.load offset=32 (local.get $pb)))))
            (local.set $s3
              (f64x2.add (local.get $s3) (f64x2.mul (local.get $x) (v128.load offset=48 (local.get $pb)))))
            (local.set $pa (i32.add (local.get $pa) (local.get $astep)))
            (local.set $pb (i32.add (local.get $pb) (local.get $bstep)))
            (local.set $p (i32.sub (local.get $p) (i32.const 1)))
            (br $terms)))
        (if (local.get $bias)
          (then
            (local.set $pa (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $pa)))))
            (local.set $s1
              (f64x2.add (local.get $s1) (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $pa)))))
            (local.set $s2
              (f64x2.add (local.get $s2) (f64x2.promote_low_f32x4 (v128.load64_zero offset=16 (local.get $pa)))))
            (local.set $s3
              (f64x2.add (local.get $s3) (f64x2.promote_low_f32x4 (v128.load64_zero offset=24 (local.get $pa)))))))
        (local.set $pa (i32.add (local.get $crow) (i32.shl (local.get $j) (i32.const 2))))
        (v128.store64_lane 0 (local.get $pa) (f32x4.demote_f64x2_zero (local.get $s0)))
        (v128.store64_lane offset=8 0 (local.get $pa) (f32x4.demote_f64x2_zero (local.get $s1)))
        (v128.store64_lane offset=16 0 (local.get $pa) (f32x4.demote_f64x2_zero (local.get $s2)))
        (v128.store64_lane offset=24 0 (local.get $pa) (f32x4.demote_f64x2_zero (local.get $s3)))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br $eights)))

    ;; two columns: one running vector sum
    (block $twos_done
      (loop $twos
        (br_if $twos_done (i32.gt_u (i32.add (local.get $j) (i32.const 2)) (local.get $n)))
        (local.set $s0 (v128.const f64x2 0 0))
        (local.set $pa (local.get $arow))
        (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $p (local.get $k))
        (block $terms_done
          (loop $terms
            (br_if $terms_done (i32.eqz (local.get $p)))
            (local.set $x (f64x2.splat (f64.promote_f32 (f32.load (local.get $pa)))))
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $x) (v128.load (local.get $pb)))))
            (local.set $pa (i32.add (local.get $pa) (local.get $astep)))
            (local.set $pb (i32.add (local.get $pb) (local.get $bstep)))
            (local.set $p (i32.sub (local.get $p) (i32.const 1)))
            (br $terms)))
        (if (local.get $bias)
          (then
            (local.set $s0
              (f64x2.add (local.get $s0)
                (f64x2.promote_low_f32x4
                  (v128.load64_zero (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))))))
        (v128.store64_lane 0
          (i32.add (local.get $crow) (i32.shl (local.get $j) (i32.const 2)))
          (f32x4.demote_f64x2_zero (local.get $s0)))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $twos)))

    ;; the last column of an odd width: a scalar sum
    (if (i32.lt_u (local.get $j) (local.get $n))
      (then
        (local.set $s (f64.const 0))
        (local.set $pa (local.get $arow))
        (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $p (local.get $k))
        (block $terms_done
          (loop $terms
            (br_if $terms_done (i32.eqz (local.get $p)))
            (local.set $s
              (f64.add (local.get $s)
                (f64.mul (f64.promote_f32 (f32.load (local.get $pa))) (f64.load (local.get $pb)))))
            (local.set $pa (i32.add (local.get $pa) (local.get $astep)))
            (local.set $pb (i32.add (local.get $pb) (local.get $bstep)))
            (local.set $p (i32.sub (local.get $p) (i32.const 1)))
            (br $terms)))
        (if (local.get $bias)
          (then
            (local.set $s
              (f64.add (local.get $s)
                (f64.promote_f32 (f32.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))))))
        (f32.store
          (i32.add (local.get $crow) (i32.shl (local.get $j) (i32.const 2)))
          (f32.demote_f64 (local.get $s))))))

  ;; dst[r·cols + c] = src[r·sr + c·sc] as float64: a float32 matrix promoted (sr = cols, sc = 1) or promoted and
  ;; transposed (sr = 1, sc = rows of the source).
  (func (export "promote")
    (param $src i32) (param $sr i32) (param $sc i32) (param $dst i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $c i32) (local $ps i32)
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $ps (i32.add (local.get $src) (i32.shl (i32.mul (local.get $r) (local.get $sr)) (i32.const 2))))
        (local.set $c (local.get $cols))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.eqz (local.get $c)))
            (f64.store (local.get $dst) (f64.promote_f32 (f32.load (local.get $ps))))
            (local.set $dst (i32.add (local.get $dst) (i32.const 8)))
            (local.set $ps (i32.add (local.get $ps) (i32.shl (local.get $sc) (i32.const 2))))
            (local.set $c (i32.sub (local.get $c) (i32.const 1)))
            (br $cols)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))

  ;; One Adam step over `count` float32 parameters at `params` with float32 gradient and moments, as
  ;; AdamMoments.update computes it (c1 = 1 − β₁, c2 = 1 − β₂, stepSize = α/(1 − β₁ᵗ), correction = 1 − β₂ᵗ):
  ;;   m ← f32(β₁m + c1·g),  v ← f32(β₂v + (c2·g)·g),  θ ← f32(θ − (stepSize·m) / (sqrt(v / correction) + ε))
  ;; Two parameters at a time, then the last one of an odd count alone.
  (func (export "adam")
    (param $params i32) (param $grad i32) (param $m i32) (param $v i32) (param $count i32)
    (param $beta1 f64) (param $c1 f64) (param $beta2 f64) (param $c2 f64)
    (param $stepSize f64) (param $correction f64) (param $epsilon f64)
    (local $offset i32) (local $end i32) (local $g v128) (local $mt v128) (local $vt v128)
    (local $gs f64) (local $ms f64) (local $vs f64)
    (local.set $end (i32.shl (i32.and (local.get $count) (i32.const -2)) (i32.const 2)))
    (block $pairs_done
      (loop $pairs
        (br_if $pairs_done (i32.ge_u (local.get $offset) (local.get $end)))
        (local.set $g
          (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $grad) (local.get $offset)))))
        (local.set $mt
          (f64x2.promote_low_f32x4
            (f32x4.demote_f64x2_zero
              (f64x2.add
                (f64x2.mul (f64x2.splat (local.get $beta1))
                  (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $m) (local.get $offset)))))
                (f64x2.mul (f64x2.splat (local.get $c1)) (local.get $g))))))
        (local.set $vt
          (f64x2.promote_low_f32x4
            (f32x4.demote_f64x2_zero
              (f64x2.add
                (f64x2.mul (f64x2.splat (local.get $beta2))
                  (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $v) (local.get $offset)))))
                (f64x2.mul (f64x2.mul (f64x2.splat (local.get $c2)) (local.get $g)) (local.get $g))))))
        (v128.store64_lane 0 (i32.add (local.get $m) (local.get $offset)) (f32x4.demote_f64x2_zero (local.get $mt)))
        (v128.store64_lane 0 (i32.add (local.get $v) (local.get $offset)) (f32x4.demote_f64x2_zero (local.get $vt)))
        (v128.store64_lane 0
          (i32.add (local.get $params) (local.get $offset))
          (f32x4.demote_f64x2_zero
            (f64x2.sub
              (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $params) (local.get $offset))))
              (f64x2.div
                (f64x2.mul (f64x2.splat (local.get $stepSize)) (local.get $mt))
                (f64x2.add
                  (f64x2.sqrt (f64x2.div (local.get $vt) (f64x2.splat (local.get $correction))))
                  (f64x2.splat (local.get $epsilon)))))))
        (local.set $offset (i32.add (local.get $offset) (i32.const 8)))
        (br $pairs)))
    (if (i32.and (local.get $count) (i32.const 1))
      (then
        (local.set $gs (f64.promote_f32 (f32.load (i32.add (local.get $grad) (local.get $offset)))))
        (local.set $ms
          (f64.promote_f32
            (f32.demote_f64
              (f64.add
                (f64.mul (local.get $beta1) (f64.promote_f32 (f32.load (i32.add (local.get $m) (local.get $offset)))))
                (f64.mul (local.get $c1) (local.get $gs))))))
        (local.set $vs
          (f64.promote_f32
            (f32.demote_f64
              (f64.add
                (f64.mul (local.get $beta2) (f64.promote_f32 (f32.load (i32.add (local.get $v) (local.get $offset)))))
                (f64.mul (f64.mul (local.get $c2) (local.get $gs)) (local.get $gs))))))
        (f32.store (i32.add (local.get $m) (local.get $offset)) (f32.demote_f64 (local.get $ms)))
        (f32.store (i32.add (local.get $v) (local.get $offset)) (f32.demote_f64 (local.get $vs)))
        (f32.store
          (i32.add (local.get $params) (local.get $offset))
          (f32.demote_f64
            (f64.sub
              (f64.promote_f32 (f32.load (i32.add (local.get $params) (local.get $offset))))
              (f64.div
                (f64.mul (local.get $stepSize) (local.get $ms))
                (f64.add (f64.sqrt (f64.div (local.get $vs) (local.get $correction))) (local.get $epsilon))))))))))
