;; The packed single-precision GEMM behind backend-cpu's matrix kernels, in WebAssembly SIMD
;; (f32x4 mul + add: no FMA, no relaxed SIMD). Compiled to wasm at build time by
;; scripts/build-wasm.mjs (wabt's wat2wasm) into gemm.generated.ts; src/wasm/gemm.ts drives it.
;;
;; The JavaScript side copies blocks of A, B and C into this module's memory (TypedArray.set),
;; then calls
;;   packA   a block of A (mc × kc, any strides) -> MR-row panels, zero-padded to MR rows and kcp steps
;;   packB   a block of B (kc × nc, any strides) -> NR-column panels, zero-padded to NR columns, kcp steps
;;   kernel  every MR × NR tile of C += / = (A panel)·(B panel), accumulators in v128 locals
;; with MR = 4 rows and NR = 8 columns (two f32x4). All addresses and strides are in bytes.
;; The memory is fixed in size (min = max): it never grows, so its ArrayBuffer never detaches.
(module
  (memory (export "memory") 74 74) ;; 4.625 MiB: exactly the layout of gemm.ts (packed and staged blocks)

  ;; Pack A(i, p) = f32[src + i*si + p*sp] for i < mc, p < kc into panels at dst:
  ;; panel r holds A(4r + t, p) at dst + r*16*kcp + p*16 + t*4; rows >= mc and steps >= kc are 0.
  (func (export "packA")
    (param $src i32) (param $si i32) (param $sp i32) (param $mc i32) (param $kc i32) (param $kcp i32) (param $dst i32)
    (local $r0 i32) (local $rows i32) (local $base i32) (local $p i32) (local $at i32) (local $t i32) (local $v f32)
    (block $donePanels
      (loop $panels
        (br_if $donePanels (i32.ge_s (local.get $r0) (local.get $mc)))
        (local.set $rows (i32.sub (local.get $mc) (local.get $r0)))
        (if (i32.gt_s (local.get $rows) (i32.const 4)) (then (local.set $rows (i32.const 4))))
        (local.set $base (i32.add (local.get $src) (i32.mul (local.get $r0) (local.get $si))))
        (local.set $p (i32.const 0))
        (if (i32.and (i32.eq (local.get $rows) (i32.const 4)) (i32.eq (local.get $si) (i32.const 4)))
          (then
            ;; four consecutive floats per step: one vector copy
            (block $doneFast
              (loop $fast
                (br_if $doneFast (i32.ge_s (local.get $p) (local.get $kc)))
                (v128.store (local.get $dst)
                  (v128.load (i32.add (local.get $base) (i32.mul (local.get $p) (local.get $sp)))))
                (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $fast))))
          (else
            (block $doneSlow
              (loop $slow
                (br_if $doneSlow (i32.ge_s (local.get $p) (local.get $kc)))
                (local.set $at (i32.add (local.get $base) (i32.mul (local.get $p) (local.get $sp))))
                (local.set $t (i32.const 0))
                (block $doneRow
                  (loop $row
                    (br_if $doneRow (i32.ge_s (local.get $t) (i32.const 4)))
                    (local.set $v (f32.const 0))
                    (if (i32.lt_s (local.get $t) (local.get $rows))
                      (then (local.set $v (f32.load (i32.add (local.get $at) (i32.mul (local.get $t) (local.get $si)))))))
                    (f32.store (i32.add (local.get $dst) (i32.shl (local.get $t) (i32.const 2))) (local.get $v))
                    (local.set $t (i32.add (local.get $t) (i32.const 1)))
                    (br $row)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $slow)))))
        ;; zero steps kc .. kcp
        (block $donePad
          (loop $pad
            (br_if $donePad (i32.ge_s (local.get $p) (local.get $kcp)))
            (v128.store (local.get $dst) (v128.const i32x4 0 0 0 0))
            (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $pad)))
        (local.set $r0 (i32.add (local.get $r0) (i32.const 4)))
        (br $panels))))

  ;; Pack B(p, j) = f32[src + p*sp + j*sj] for p < kc, j < nc into panels at dst:
  ;; panel q holds B(p, 8q + t) at dst + q*32*kcp + p*32 + t*4; columns >= nc and steps >= kc are 0.
  (func (export "packB")
    (param $src i32) (param $sp i32) (param $sj i32) (param $kc i32) (param $nc i32) (param $kcp i32) (param $dst i32)
    (local $j0 i32) (local $cols i32) (local $base i32) (local $p i32) (local $at i32) (local $t i32) (local $v f32)
    (block $donePanels
      (loop $panels
        (br_if $donePanels (i32.ge_s (local.get $j0) (local.get $nc)))
        (local.set $cols (i32.sub (local.get $nc) (local.get $j0)))
        (if (i32.gt_s (local.get $cols) (i32.const 8)) (then (local.set $cols (i32.const 8))))
        (local.set $base (i32.add (local.get $src) (i32.mul (local.get $j0) (local.get $sj))))
        (local.set $p (i32.const 0))
        (if (i32.and (i32.eq (local.get $cols) (i32.const 8)) (i32.eq (local.get $sj) (i32.const 4)))
          (then
            ;; rows of B contiguous: two vector copies per step
            (block $doneFast
              (loop $fast
                (br_if $doneFast (i32.ge_s (local.get $p) (local.get $kc)))
                (local.set $at (i32.add (local.get $base) (i32.mul (local.get $p) (local.get $sp))))
                (v128.store (local.get $dst) (v128.load (local.get $at)))
                (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $at)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $fast))))
          (else
            (if (i32.and (i32.eq (local.get $cols) (i32.const 8)) (i32.eq (local.get $sp) (i32.const 4)))
              (then
                ;; columns of B contiguous (B transposed): 8 column streams, 4 steps at a time through
                ;; two 4×4 transposes, then single steps
                (block $doneT
                  (loop $trans
                    (br_if $doneT (i32.gt_s (i32.add (local.get $p) (i32.const 4)) (local.get $kc)))
                    (local.set $at (i32.add (local.get $base) (i32.shl (local.get $p) (i32.const 2))))
                    (call $transpose4 (local.get $at) (local.get $sj) (local.get $dst))
                    (call $transpose4
                      (i32.add (local.get $at) (i32.shl (local.get $sj) (i32.const 2)))
                      (local.get $sj)
                      (i32.add (local.get $dst) (i32.const 16)))
                    (local.set $dst (i32.add (local.get $dst) (i32.const 128)))
                    (local.set $p (i32.add (local.get $p) (i32.const 4)))
                    (br $trans)))))
            (block $doneSlow
              (loop $slow
                (br_if $doneSlow (i32.ge_s (local.get $p) (local.get $kc)))
                (local.set $at (i32.add (local.get $base) (i32.mul (local.get $p) (local.get $sp))))
                (local.set $t (i32.const 0))
                (block $doneRow
                  (loop $row
                    (br_if $doneRow (i32.ge_s (local.get $t) (i32.const 8)))
                    (local.set $v (f32.const 0))
                    (if (i32.lt_s (local.get $t) (local.get $cols))
                      (then (local.set $v (f32.load (i32.add (local.get $at) (i32.mul (local.get $t) (local.get $sj)))))))
                    (f32.store (i32.add (local.get $dst) (i32.shl (local.get $t) (i32.const 2))) (local.get $v))
                    (local.set $t (i32.add (local.get $t) (i32.const 1)))
                    (br $row)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $slow)))))
        (block $donePad
          (loop $pad
            (br_if $donePad (i32.ge_s (local.get $p) (local.get $kcp)))
            (v128.store (local.get $dst) (v128.const i32x4 0 0 0 0))
            (v128.store offset=16 (local.get $dst) (v128.const i32x4 0 0 0 0))
            (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $pad)))
        (local.set $j0 (i32.add (local.get $j0) (i32.const 8)))
        (br $panels))))

  ;; Four columns x 4 steps: column u's steps 0..3 are the floats at src + u*sj. Writes step s's
  ;; four columns at dst + s*32 (the stride of an 8-column packed step).
  (func $transpose4 (param $src i32) (param $sj i32) (param $dst i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $r0 (v128.load (local.get $src)))
    (local.set $r1 (v128.load (i32.add (local.get $src) (local.get $sj))))
    (local.set $r2 (v128.load (i32.add (local.get $src) (i32.shl (local.get $sj) (i32.const 1)))))
    (local.set $r3 (v128.load (i32.add (local.get $src) (i32.mul (local.get $sj) (i32.const 3)))))
    ;; t0 = r0[0] r1[0] r0[1] r1[1]; t1 = r0[2] r1[2] r0[3] r1[3]; likewise t2, t3 from r2, r3
    (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
    (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
    (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
    (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
    (v128.store (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
    (v128.store offset=32 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
    (v128.store offset=64 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
    (v128.store offset=96 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3))))

  ;; C tile (ir, jr) at c + ir*4*ldc + jr*32, for ir < mp row panels and jr < np column panels:
  ;; C = A panel ir · B panel jr (+ C when add), over kcp >= 1 steps. (Unrolling k by hand made
  ;; V8 slower: TurboFan unrolls this loop itself.)
  (func (export "kernel")
    (param $pa i32) (param $pb i32) (param $c i32) (param $ldc i32) (param $kcp i32) (param $mp i32) (param $np i32) (param $add i32)
    (local $jr i32) (local $ir i32) (local $a i32) (local $b i32) (local $end i32) (local $bPanel i32)
    (local $aStride i32) (local $bStride i32) (local $ct i32)
    (local $x v128) (local $y0 v128) (local $y1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $aStride (i32.shl (local.get $kcp) (i32.const 4)))
    (local.set $bStride (i32.shl (local.get $kcp) (i32.const 5)))
    (block $doneJ
      (loop $loopJ
        (br_if $doneJ (i32.ge_s (local.get $jr) (local.get $np)))
        (local.set $bPanel (i32.add (local.get $pb) (i32.mul (local.get $jr) (local.get $bStride))))
        (local.set $ir (i32.const 0))
        (block $doneI
          (loop $loopI
            (br_if $doneI (i32.ge_s (local.get $ir) (local.get $mp)))
            (local.set $a (i32.add (local.get $pa) (i32.mul (local.get $ir) (local.get $aStride))))
            (local.set $b (local.get $bPanel))
            (local.set $end (i32.add (local.get $bPanel) (local.get $bStride)))
            (local.set $c00 (v128.const i32x4 0 0 0 0))
            (local.set $c01 (v128.const i32x4 0 0 0 0))
            (local.set $c10 (v128.const i32x4 0 0 0 0))
            (local.set $c11 (v128.const i32x4 0 0 0 0))
            (local.set $c20 (v128.const i32x4 0 0 0 0))
            (local.set $c21 (v128.const i32x4 0 0 0 0))
            (local.set $c30 (v128.const i32x4 0 0 0 0))
            (local.set $c31 (v128.const i32x4 0 0 0 0))
            (loop $loopK
              (local.set $y0 (v128.load (local.get $b)))
              (local.set $y1 (v128.load offset=16 (local.get $b)))
              (local.set $x (v128.load32_splat (local.get $a)))
              (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $y0))))
              (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $y1))))
              (local.set $x (v128.load32_splat offset=4 (local.get $a)))
              (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x) (local.get $y0))))
              (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x) (local.get $y1))))
              (local.set $x (v128.load32_splat offset=8 (local.get $a)))
              (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $x) (local.get $y0))))
              (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $x) (local.get $y1))))
              (local.set $x (v128.load32_splat offset=12 (local.get $a)))
              (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $x) (local.get $y0))))
              (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $x) (local.get $y1))))
              (local.set $a (i32.add (local.get $a) (i32.const 16)))
              (local.set $b (i32.add (local.get $b) (i32.const 32)))
              (br_if $loopK (i32.lt_u (local.get $b) (local.get $end))))
            ;; the tile's first row in C
            (local.set $ct
              (i32.add (local.get $c)
                (i32.add (i32.mul (local.get $ir) (i32.shl (local.get $ldc) (i32.const 2)))
                  (i32.shl (local.get $jr) (i32.const 5)))))
            (if (local.get $add)
              (then
                (local.set $c00 (f32x4.add (local.get $c00) (v128.load (local.get $ct))))
                (local.set $c01 (f32x4.add (local.get $c01) (v128.load offset=16 (local.get $ct))))
                (local.set $c10 (f32x4.add (local.get $c10) (v128.load (i32.add (local.get $ct) (local.get $ldc)))))
                (local.set $c11 (f32x4.add (local.get $c11) (v128.load offset=16 (i32.add (local.get $ct) (local.get $ldc)))))
                (local.set $c20 (f32x4.add (local.get $c20) (v128.load (i32.add (local.get $ct) (i32.shl (local.get $ldc) (i32.const 1))))))
                (local.set $c21 (f32x4.add (local.get $c21) (v128.load offset=16 (i32.add (local.get $ct) (i32.shl (local.get $ldc) (i32.const 1))))))
                (local.set $c30 (f32x4.add (local.get $c30) (v128.load (i32.add (local.get $ct) (i32.mul (local.get $ldc) (i32.const 3))))))
                (local.set $c31 (f32x4.add (local.get $c31) (v128.load offset=16 (i32.add (local.get $ct) (i32.mul (local.get $ldc) (i32.const 3))))))))
            (v128.store (local.get $ct) (local.get $c00))
            (v128.store offset=16 (local.get $ct) (local.get $c01))
            (local.set $ct (i32.add (local.get $ct) (local.get $ldc)))
            (v128.store (local.get $ct) (local.get $c10))
            (v128.store offset=16 (local.get $ct) (local.get $c11))
            (local.set $ct (i32.add (local.get $ct) (local.get $ldc)))
            (v128.store (local.get $ct) (local.get $c20))
            (v128.store offset=16 (local.get $ct) (local.get $c21))
            (local.set $ct (i32.add (local.get $ct) (local.get $ldc)))
            (v128.store (local.get $ct) (local.get $c30))
            (v128.store offset=16 (local.get $ct) (local.get $c31))
            (local.set $ir (i32.add (local.get $ir) (i32.const 1)))
            (br $loopI)))
        (local.set $jr (i32.add (local.get $jr) (i32.const 1)))
        (br $loopJ))))
)
