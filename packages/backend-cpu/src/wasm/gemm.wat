;; The packed single-precision GEMM behind backend-cpu's matrix kernels, in WebAssembly SIMD
;; (f32x4 mul + add). Compiled to wasm at build time by scripts/build-wasm.mjs (wabt's wat2wasm)
;; into gemm.generated.ts; src/wasm/gemm.ts drives it. The build compiles it a second time with
;; relaxed SIMD, the micro-kernel's multiply-adds (the @relaxed-madd region) rewritten as
;; f32x4.relaxed_madd (one fused multiply-add where the hardware has it); gemm.ts runs that
;; variant where the engine validates it.
;;
;; The JavaScript side copies blocks of A, B and C into this module's memory (TypedArray.set),
;; then calls
;;   packA   a block of A (mc × kc, any strides) -> MR-row panels, zero-padded to MR rows and kcp steps
;;   packB   a block of B (kc × nc, any strides) -> NR-column panels, zero-padded to NR columns, kcp steps
;;   kernel  every MR × NR tile of C += / = (A panel)·(B panel), accumulators in v128 locals
;; with MR = 4 rows and NR = 8 columns (two f32x4). All addresses and strides are in bytes.
;; For convolutions, an image is copied in once and
;;   im2col  a block of its column matrix (rows = (channel, ki, kj), columns = output pixels) -> a
;;           B block, in place of copying B in: the matrix itself never exists in JavaScript
;; The memory is fixed in size (min = max): it never grows, so its ArrayBuffer never detaches.
(module
  (memory (export "memory") 90 90) ;; @shared-variant: 5.625 MiB, exactly the layout of gemm.ts (packed and staged blocks, one image); the worker backend runs a copy on a shared memory

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
            ;; four whole rows, each contiguous along k (A row-major): 4 × 4 blocks transposed in
            ;; registers; the last kc mod 4 steps go the element-wise way below
            (if (i32.and (i32.eq (local.get $rows) (i32.const 4)) (i32.eq (local.get $sp) (i32.const 4)))
              (then
                (call $transpose4 (local.get $base) (local.get $si) (local.get $dst) (i32.const 16) (local.get $kc))
                (local.set $p (i32.and (local.get $kc) (i32.const -4)))
                (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $p) (i32.const 4))))))
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
                (call $transpose4 (local.get $base) (local.get $sj) (local.get $dst) (i32.const 32) (local.get $kc))
                (call $transpose4 (i32.add (local.get $base) (i32.shl (local.get $sj) (i32.const 2))) (local.get $sj) (i32.add (local.get $dst) (i32.const 16)) (i32.const 32) (local.get $kc))
                (local.set $p (i32.and (local.get $kc) (i32.const -4)))
                (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $p) (i32.const 5))))))
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

  ;; Four columns, every whole block of 4 of their first $kc steps: column u's steps are the floats
  ;; from src + u*sj on. Writes step s's four columns at dst + s*ds (32: an 8-column packed step of B;
  ;; 16: a 4-row packed step of A), one 4 × 4 transpose in registers per block. One call per panel,
  ;; the loop inside: V8 (Node 20) inlines no wasm call, and a call per block made packing 13% of
  ;; attention's [48 × 64 × 64] @ [48 × 64 × 32] products (0.415 against 0.365 ms).
  (func $transpose4 (param $src i32) (param $sj i32) (param $dst i32) (param $ds i32) (param $kc i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (block $done
      (loop $next
        (br_if $done (i32.lt_s (local.get $kc) (i32.const 4)))
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
        (v128.store (i32.add (local.get $dst) (local.get $ds)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
        (v128.store (i32.add (local.get $dst) (i32.shl (local.get $ds) (i32.const 1))) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
        (v128.store (i32.add (local.get $dst) (i32.mul (local.get $ds) (i32.const 3))) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $ds) (i32.const 2))))
        (local.set $kc (i32.sub (local.get $kc) (i32.const 4)))
        (br $next))))

  ;; C tile (ir, jr) at c + ir*4*ldc + jr*32, for ir < mp row panels and jr < np column panels:
  ;; C = A panel ir · B panel jr (+ C when $flags bit 0), over kcp >= 1 steps. Bits 1 and 2 say A
  ;; is square and zero above its diagonal (a causal attention's weights: panel ir needs only steps
  ;; below 4ir + 4) or below it (their transpose: steps from 4ir on); the other steps are skipped,
  ;; which changes the result only where B holds an infinity or NaN. (Unrolling k by hand made
  ;; V8 slower: TurboFan unrolls this loop itself.)
  (func (export "kernel")
    (param $pa i32) (param $pb i32) (param $c i32) (param $ldc i32) (param $kcp i32) (param $mp i32) (param $np i32) (param $flags i32)
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
            (if (i32.and (local.get $flags) (i32.const 2))
              (then
                (local.set $ct (i32.add (local.get $b) (i32.shl (i32.add (local.get $ir) (i32.const 1)) (i32.const 7))))
                (if (i32.lt_u (local.get $ct) (local.get $end)) (then (local.set $end (local.get $ct))))))
            (if (i32.and (local.get $flags) (i32.const 4))
              (then
                (local.set $a (i32.add (local.get $a) (i32.shl (local.get $ir) (i32.const 6))))
                (local.set $b (i32.add (local.get $b) (i32.shl (local.get $ir) (i32.const 7))))))
            (local.set $c00 (v128.const i32x4 0 0 0 0))
            (local.set $c01 (v128.const i32x4 0 0 0 0))
            (local.set $c10 (v128.const i32x4 0 0 0 0))
            (local.set $c11 (v128.const i32x4 0 0 0 0))
            (local.set $c20 (v128.const i32x4 0 0 0 0))
            (local.set $c21 (v128.const i32x4 0 0 0 0))
            (local.set $c30 (v128.const i32x4 0 0 0 0))
            (local.set $c31 (v128.const i32x4 0 0 0 0))
            (loop $loopK
              ;; @relaxed-madd begin: the relaxed-SIMD build fuses each add of a mul here (scripts/build-wasm.mjs)
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
              ;; @relaxed-madd end
              (local.set $a (i32.add (local.get $a) (i32.const 16)))
              (local.set $b (i32.add (local.get $b) (i32.const 32)))
              (br_if $loopK (i32.lt_u (local.get $b) (local.get $end))))
            ;; the tile's first row in C
            (local.set $ct
              (i32.add (local.get $c)
                (i32.add (i32.mul (local.get $ir) (i32.shl (local.get $ldc) (i32.const 2)))
                  (i32.shl (local.get $jr) (i32.const 5)))))
            (if (i32.and (local.get $flags) (i32.const 1))
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
;; A block of the im2col matrix of the image at src ([c, h, w] floats): rows r0 .. r0+nr (row
  ;; r = (channel, ki, kj) = (r / (kh·kw), (r / kw) % kh, r % kw)), columns = output pixels p0 .. p0+np
  ;; of the oh × ow grid, element (r, q) = image[channel, oy·stride − pad + ki, ox·stride − pad + kj]
  ;; for q = (oy, ox), 0 outside the image. Row r − r0 is written at dst + (r − r0)·ld, contiguously.
  ;; Walks each row in segments of one output row: zeros where the window hangs over the padding,
  ;; and the run inside the image copied four floats at a time (stride 1) or gathered (stride > 1).
  (func (export "im2col")
    (param $src i32) (param $h i32) (param $w i32) (param $kh i32) (param $kw i32) (param $stride i32) (param $pad i32)
    (param $ow i32) (param $r0 i32) (param $nr i32) (param $p0 i32) (param $np i32) (param $dst i32) (param $ld i32)
    (local $r i32) (local $kk i32) (local $rem i32) (local $plane i32) (local $ki i32) (local $kj i32)
    (local $lo i32) (local $hi i32) (local $q i32) (local $qEnd i32) (local $oy i32) (local $ox i32) (local $len i32)
    (local $iy i32) (local $d i32) (local $a i32) (local $b i32) (local $from i32) (local $to i32) (local $runEnd i32)
    (local.set $kk (i32.mul (local.get $kh) (local.get $kw)))
    (local.set $qEnd (i32.add (local.get $p0) (local.get $np)))
    (local.set $r (local.get $r0))
    (block $doneRows
      (loop $rows
        (br_if $doneRows (i32.ge_s (local.get $r) (i32.add (local.get $r0) (local.get $nr))))
        (local.set $rem (i32.rem_u (local.get $r) (local.get $kk)))
        (local.set $plane (i32.add (local.get $src)
          (i32.shl (i32.mul (i32.div_u (local.get $r) (local.get $kk)) (i32.mul (local.get $h) (local.get $w))) (i32.const 2))))
        (local.set $ki (i32.div_u (local.get $rem) (local.get $kw)))
        (local.set $kj (i32.rem_u (local.get $rem) (local.get $kw)))
        ;; output columns [lo, hi) read inside the image: 0 <= ox·stride − pad + kj < w
        (local.set $lo (i32.const 0))
        (if (i32.gt_s (local.get $pad) (local.get $kj))
          (then (local.set $lo (i32.div_s (i32.sub (i32.add (i32.sub (local.get $pad) (local.get $kj)) (local.get $stride)) (i32.const 1)) (local.get $stride)))))
        (local.set $hi (i32.const 0))
        (if (i32.ge_s (i32.add (i32.sub (local.get $w) (i32.const 1)) (i32.sub (local.get $pad) (local.get $kj))) (i32.const 0))
          (then (local.set $hi (i32.add (i32.div_s (i32.add (i32.sub (local.get $w) (i32.const 1)) (i32.sub (local.get $pad) (local.get $kj))) (local.get $stride)) (i32.const 1)))))
        (if (i32.gt_s (local.get $hi) (local.get $ow)) (then (local.set $hi (local.get $ow))))
        (if (i32.lt_s (local.get $hi) (local.get $lo)) (then (local.set $hi (local.get $lo))))
        (local.set $d (i32.add (local.get $dst) (i32.mul (i32.sub (local.get $r) (local.get $r0)) (local.get $ld))))
        (local.set $q (local.get $p0))
        ;; the first segment may start mid-row; every later one starts a row (no division per segment)
        (local.set $oy (i32.div_u (local.get $q) (local.get $ow)))
        (local.set $ox (i32.sub (local.get $q) (i32.mul (local.get $oy) (local.get $ow))))
        (block $doneSegments
          (loop $segments
            (br_if $doneSegments (i32.ge_s (local.get $q) (local.get $qEnd)))
            (local.set $len (i32.sub (local.get $ow) (local.get $ox)))
            (if (i32.gt_s (local.get $len) (i32.sub (local.get $qEnd) (local.get $q)))
              (then (local.set $len (i32.sub (local.get $qEnd) (local.get $q)))))
            (local.set $iy (i32.add (i32.sub (i32.mul (local.get $oy) (local.get $stride)) (local.get $pad)) (local.get $ki)))
            ;; the part [a, b) of this segment's columns [ox, ox+len) inside the image (empty off its rows)
            (local.set $a (local.get $ox))
            (if (i32.lt_s (local.get $a) (local.get $lo)) (then (local.set $a (local.get $lo))))
            (local.set $b (i32.add (local.get $ox) (local.get $len)))
            (if (i32.gt_s (local.get $b) (local.get $hi)) (then (local.set $b (local.get $hi))))
            (if (i32.or (i32.ge_u (local.get $iy) (local.get $h)) (i32.lt_s (local.get $b) (local.get $a)))
              (then (local.set $a (local.get $ox)) (local.set $b (local.get $ox))))
            ;; zeros before the run
            (local.set $to (i32.add (local.get $d) (i32.shl (i32.sub (local.get $a) (local.get $ox)) (i32.const 2))))
            (block $doneHead
              (loop $head
                (br_if $doneHead (i32.ge_u (local.get $d) (local.get $to)))
                (f32.store (local.get $d) (f32.const 0))
                (local.set $d (i32.add (local.get $d) (i32.const 4)))
                (br $head)))
            ;; the run: image[iy, a·stride − pad + kj ...]
            (local.set $from (i32.add (local.get $plane) (i32.shl
              (i32.add (i32.mul (local.get $iy) (local.get $w)) (i32.add (i32.sub (i32.mul (local.get $a) (local.get $stride)) (local.get $pad)) (local.get $kj)))
              (i32.const 2))))
            (local.set $runEnd (i32.add (local.get $d) (i32.shl (i32.sub (local.get $b) (local.get $a)) (i32.const 2))))
            (if (i32.eq (local.get $stride) (i32.const 1))
              (then
                (block $doneVec
                  (loop $vec
                    (br_if $doneVec (i32.gt_u (i32.add (local.get $d) (i32.const 16)) (local.get $runEnd)))
                    (v128.store (local.get $d) (v128.load (local.get $from)))
                    (local.set $d (i32.add (local.get $d) (i32.const 16)))
                    (local.set $from (i32.add (local.get $from) (i32.const 16)))
                    (br $vec)))))
            (block $doneRun
              (loop $run
                (br_if $doneRun (i32.ge_u (local.get $d) (local.get $runEnd)))
                (f32.store (local.get $d) (f32.load (local.get $from)))
                (local.set $d (i32.add (local.get $d) (i32.const 4)))
                (local.set $from (i32.add (local.get $from) (i32.shl (local.get $stride) (i32.const 2))))
                (br $run)))
            ;; zeros after it, to the end of the segment
            (local.set $to (i32.add (local.get $runEnd) (i32.shl (i32.sub (i32.add (local.get $ox) (local.get $len)) (local.get $b)) (i32.const 2))))
            (block $doneTail
              (loop $tail
                (br_if $doneTail (i32.ge_u (local.get $d) (local.get $to)))
                (f32.store (local.get $d) (f32.const 0))
                (local.set $d (i32.add (local.get $d) (i32.const 4)))
                (br $tail)))
            (local.set $q (i32.add (local.get $q) (local.get $len)))
            (local.set $ox (i32.const 0))
            (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
            (br $segments)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))
;; The adjoint of im2col: a block of column-matrix rows r0 .. r0+nr (absolute rows, as im2col numbers
  ;; them), pixels p0 .. p0+np, at src with row stride ld, added into the image at dst, which holds
  ;; channels c0 onwards ([·, h, w] floats): image[channel − c0, iy, ix] += block[r, q] wherever
  ;; pixel q's window element (ki, kj) lies inside the image. Segments as in im2col.
  (func (export "col2im")
    (param $dst i32) (param $h i32) (param $w i32) (param $kh i32) (param $kw i32) (param $stride i32) (param $pad i32)
    (param $ow i32) (param $r0 i32) (param $nr i32) (param $c0 i32) (param $p0 i32) (param $np i32) (param $src i32) (param $ld i32)
    (local $r i32) (local $kk i32) (local $rem i32) (local $plane i32) (local $ki i32) (local $kj i32)
    (local $lo i32) (local $hi i32) (local $q i32) (local $qEnd i32) (local $oy i32) (local $ox i32) (local $len i32)
    (local $iy i32) (local $s i32) (local $a i32) (local $b i32) (local $to i32) (local $runEnd i32)
    (local.set $kk (i32.mul (local.get $kh) (local.get $kw)))
    (local.set $qEnd (i32.add (local.get $p0) (local.get $np)))
    (local.set $r (local.get $r0))
    (block $doneRows
      (loop $rows
        (br_if $doneRows (i32.ge_s (local.get $r) (i32.add (local.get $r0) (local.get $nr))))
        (local.set $rem (i32.rem_u (local.get $r) (local.get $kk)))
        (local.set $plane (i32.add (local.get $dst)
          (i32.shl (i32.mul (i32.sub (i32.div_u (local.get $r) (local.get $kk)) (local.get $c0)) (i32.mul (local.get $h) (local.get $w))) (i32.const 2))))
        (local.set $ki (i32.div_u (local.get $rem) (local.get $kw)))
        (local.set $kj (i32.rem_u (local.get $rem) (local.get $kw)))
        (local.set $lo (i32.const 0))
        (if (i32.gt_s (local.get $pad) (local.get $kj))
          (then (local.set $lo (i32.div_s (i32.sub (i32.add (i32.sub (local.get $pad) (local.get $kj)) (local.get $stride)) (i32.const 1)) (local.get $stride)))))
        (local.set $hi (i32.const 0))
        (if (i32.ge_s (i32.add (i32.sub (local.get $w) (i32.const 1)) (i32.sub (local.get $pad) (local.get $kj))) (i32.const 0))
          (then (local.set $hi (i32.add (i32.div_s (i32.add (i32.sub (local.get $w) (i32.const 1)) (i32.sub (local.get $pad) (local.get $kj))) (local.get $stride)) (i32.const 1)))))
        (if (i32.gt_s (local.get $hi) (local.get $ow)) (then (local.set $hi (local.get $ow))))
        (if (i32.lt_s (local.get $hi) (local.get $lo)) (then (local.set $hi (local.get $lo))))
        (local.set $s (i32.add (local.get $src) (i32.mul (i32.sub (local.get $r) (local.get $r0)) (local.get $ld))))
        (local.set $q (local.get $p0))
        ;; the first segment may start mid-row; every later one starts a row (no division per segment)
        (local.set $oy (i32.div_u (local.get $q) (local.get $ow)))
        (local.set $ox (i32.sub (local.get $q) (i32.mul (local.get $oy) (local.get $ow))))
        (block $doneSegments
          (loop $segments
            (br_if $doneSegments (i32.ge_s (local.get $q) (local.get $qEnd)))
            (local.set $len (i32.sub (local.get $ow) (local.get $ox)))
            (if (i32.gt_s (local.get $len) (i32.sub (local.get $qEnd) (local.get $q)))
              (then (local.set $len (i32.sub (local.get $qEnd) (local.get $q)))))
            (local.set $iy (i32.add (i32.sub (i32.mul (local.get $oy) (local.get $stride)) (local.get $pad)) (local.get $ki)))
            (local.set $a (local.get $ox))
            (if (i32.lt_s (local.get $a) (local.get $lo)) (then (local.set $a (local.get $lo))))
            (local.set $b (i32.add (local.get $ox) (local.get $len)))
            (if (i32.gt_s (local.get $b) (local.get $hi)) (then (local.set $b (local.get $hi))))
            (if (i32.and (i32.lt_u (local.get $iy) (local.get $h)) (i32.lt_s (local.get $a) (local.get $b)))
              (then
                ;; image[iy, a·stride − pad + kj ...] += block[r, pixels a .. b of this output row]
                (local.set $to (i32.add (local.get $plane) (i32.shl
                  (i32.add (i32.mul (local.get $iy) (local.get $w)) (i32.add (i32.sub (i32.mul (local.get $a) (local.get $stride)) (local.get $pad)) (local.get $kj)))
                  (i32.const 2))))
                (local.set $a (i32.add (local.get $s) (i32.shl (i32.sub (local.get $a) (local.get $ox)) (i32.const 2))))
                (local.set $runEnd (i32.add (local.get $s) (i32.shl (i32.sub (local.get $b) (local.get $ox)) (i32.const 2))))
                (if (i32.eq (local.get $stride) (i32.const 1))
                  (then
                    (block $doneVec
                      (loop $vec
                        (br_if $doneVec (i32.gt_u (i32.add (local.get $a) (i32.const 16)) (local.get $runEnd)))
                        (v128.store (local.get $to) (f32x4.add (v128.load (local.get $to)) (v128.load (local.get $a))))
                        (local.set $a (i32.add (local.get $a) (i32.const 16)))
                        (local.set $to (i32.add (local.get $to) (i32.const 16)))
                        (br $vec)))))
                (block $doneRun
                  (loop $run
                    (br_if $doneRun (i32.ge_u (local.get $a) (local.get $runEnd)))
                    (f32.store (local.get $to) (f32.add (f32.load (local.get $to)) (f32.load (local.get $a))))
                    (local.set $a (i32.add (local.get $a) (i32.const 4)))
                    (local.set $to (i32.add (local.get $to) (i32.shl (local.get $stride) (i32.const 2))))
                    (br $run)))))
            (local.set $s (i32.add (local.get $s) (i32.shl (local.get $len) (i32.const 2))))
            (local.set $q (i32.add (local.get $q) (local.get $len)))
            (local.set $ox (i32.const 0))
            (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
            (br $segments)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))
)
