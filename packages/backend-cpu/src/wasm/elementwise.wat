;; One-pass optimizer updates in WebAssembly SIMD (f32x4), for backend-cpu's sgdStep and adamStep
;; kernels, and the activations tanh, sigmoid and GELU (for unary, the fused LSTM cell, gelu). Compiled at build time by scripts/build-wasm.mjs into elementwise.generated.ts;
;; src/wasm/elementwise.ts drives it: it copies a chunk of each operand into this module's memory
;; (TypedArray.set, far faster than a JavaScript loop per element), calls one function, and copies
;; the results out. Each function works in place on its chunks, element count rounded up to a
;; multiple of 4 (the padding lanes compute garbage nobody reads). All addresses are in bytes.
;;
;; Every step of an update is the f32 operation, in the order, that the composed tensor-op update
;; performs, so the results equal it bit for bit (the scalars arrive as f32, as the composed path's
;; constants). The activations are approximations within a few float32 ulps (see $exp_neg).
;; The memory is fixed in size (min = max): it never grows, so its ArrayBuffer never detaches.
(module
  (memory (export "memory") 6 6) ;; 384 KiB: five 16,384-float chunks (elementwise.ts's layout)

  ;; SGD, torch.optim.SGD's rule. $flags: 1 momentum, 2 first step (the buffer becomes d),
  ;; 4 nesterov, 8 weight decay, 16 dampening (multiply d by $keep before adding it to the buffer).
  ;;   d = g·sign (+ p·wd);  buf = first ? d : buf·momentum + d(·keep);  d = nesterov ? d + buf·momentum : buf
  ;;   p = p + d·nlr
  ;; p and buf are updated in place; buf is only touched with momentum.
  (func (export "sgd")
    (param $p i32) (param $g i32) (param $b i32) (param $n i32) (param $flags i32)
    (param $nlr f32) (param $momentum f32) (param $keep f32) (param $wd f32) (param $sign f32)
    (local $i i32) (local $end i32) (local $d v128) (local $buf v128)
    (local $vnlr v128) (local $vm v128) (local $vkeep v128) (local $vwd v128) (local $vsign v128)
    (local.set $vnlr (f32x4.splat (local.get $nlr)))
    (local.set $vm (f32x4.splat (local.get $momentum)))
    (local.set $vkeep (f32x4.splat (local.get $keep)))
    (local.set $vwd (f32x4.splat (local.get $wd)))
    (local.set $vsign (f32x4.splat (local.get $sign)))
    (local.set $end (i32.shl (i32.and (i32.add (local.get $n) (i32.const 3)) (i32.const -4)) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $d (f32x4.mul (v128.load (i32.add (local.get $g) (local.get $i))) (local.get $vsign)))
        (if (i32.and (local.get $flags) (i32.const 8))
          (then (local.set $d (f32x4.add (local.get $d)
            (f32x4.mul (v128.load (i32.add (local.get $p) (local.get $i))) (local.get $vwd))))))
        (if (i32.and (local.get $flags) (i32.const 1))
          (then
            (if (i32.and (local.get $flags) (i32.const 2))
              (then (local.set $buf (local.get $d)))
              (else
                (if (i32.and (local.get $flags) (i32.const 16))
                  (then (local.set $buf (f32x4.add
                    (f32x4.mul (v128.load (i32.add (local.get $b) (local.get $i))) (local.get $vm))
                    (f32x4.mul (local.get $d) (local.get $vkeep)))))
                  (else (local.set $buf (f32x4.add
                    (f32x4.mul (v128.load (i32.add (local.get $b) (local.get $i))) (local.get $vm))
                    (local.get $d)))))))
            (v128.store (i32.add (local.get $b) (local.get $i)) (local.get $buf))
            (if (i32.and (local.get $flags) (i32.const 4))
              (then (local.set $d (f32x4.add (local.get $d) (f32x4.mul (local.get $buf) (local.get $vm)))))
              (else (local.set $d (local.get $buf))))))
        (v128.store (i32.add (local.get $p) (local.get $i))
          (f32x4.add (v128.load (i32.add (local.get $p) (local.get $i))) (f32x4.mul (local.get $d) (local.get $vnlr))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next))))

  ;; Adam/AdamW, torch.optim.Adam's rule. $flags: 1 decoupled decay (p = p·shrink first),
  ;; 2 L2 decay (d = d + p·wd), 4 amsgrad (vmax = max(vmax, v), used in place of v).
  ;;   d = g·sign;  m = m·beta1 + d·(1 − beta1);  v = v·beta2 + (d·d)·(1 − beta2)
  ;;   p = p + (m / (sqrt(v̂) / correction2 + eps))·nStepSize
  ;; p, m, v (and vmax) are updated in place.
  (func (export "adam")
    (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $vmax i32) (param $n i32) (param $flags i32)
    (param $beta1 f32) (param $oneMinusBeta1 f32) (param $beta2 f32) (param $oneMinusBeta2 f32)
    (param $shrink f32) (param $wd f32) (param $sign f32) (param $nStepSize f32) (param $correction2 f32) (param $eps f32)
    (local $i i32) (local $end i32) (local $pp v128) (local $d v128) (local $vm v128) (local $vv v128) (local $second v128)
    (local $vb1 v128) (local $vc1 v128) (local $vb2 v128) (local $vc2 v128) (local $vshrink v128) (local $vwd v128)
    (local $vsign v128) (local $vstep v128) (local $vcorr v128) (local $veps v128)
    (local.set $vb1 (f32x4.splat (local.get $beta1)))
    (local.set $vc1 (f32x4.splat (local.get $oneMinusBeta1)))
    (local.set $vb2 (f32x4.splat (local.get $beta2)))
    (local.set $vc2 (f32x4.splat (local.get $oneMinusBeta2)))
    (local.set $vshrink (f32x4.splat (local.get $shrink)))
    (local.set $vwd (f32x4.splat (local.get $wd)))
    (local.set $vsign (f32x4.splat (local.get $sign)))
    (local.set $vstep (f32x4.splat (local.get $nStepSize)))
    (local.set $vcorr (f32x4.splat (local.get $correction2)))
    (local.set $veps (f32x4.splat (local.get $eps)))
    (local.set $end (i32.shl (i32.and (i32.add (local.get $n) (i32.const 3)) (i32.const -4)) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $pp (v128.load (i32.add (local.get $p) (local.get $i))))
        (if (i32.and (local.get $flags) (i32.const 1))
          (then (local.set $pp (f32x4.mul (local.get $pp) (local.get $vshrink)))))
        (local.set $d (f32x4.mul (v128.load (i32.add (local.get $g) (local.get $i))) (local.get $vsign)))
        (if (i32.and (local.get $flags) (i32.const 2))
          (then (local.set $d (f32x4.add (local.get $d) (f32x4.mul (local.get $pp) (local.get $vwd))))))
        (local.set $vm (f32x4.add
          (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $i))) (local.get $vb1))
          (f32x4.mul (local.get $d) (local.get $vc1))))
        (local.set $vv (f32x4.add
          (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $i))) (local.get $vb2))
          (f32x4.mul (f32x4.mul (local.get $d) (local.get $d)) (local.get $vc2))))
        (v128.store (i32.add (local.get $m) (local.get $i)) (local.get $vm))
        (v128.store (i32.add (local.get $v) (local.get $i)) (local.get $vv))
        (local.set $second (local.get $vv))
        (if (i32.and (local.get $flags) (i32.const 4))
          (then
            (local.set $second (f32x4.max (v128.load (i32.add (local.get $vmax) (local.get $i))) (local.get $vv)))
            (v128.store (i32.add (local.get $vmax) (local.get $i)) (local.get $second))))
        (v128.store (i32.add (local.get $p) (local.get $i))
          (f32x4.add (local.get $pp)
            (f32x4.mul
              (f32x4.div (local.get $vm)
                (f32x4.add (f32x4.div (f32x4.sqrt (local.get $second)) (local.get $vcorr)) (local.get $veps)))
              (local.get $vstep))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next))))
;; e^x for x in [-104, 0], four lanes (NaN stays NaN). x = n·ln2 + r with n = round(x / ln2) and
  ;; |r| <= ln2 / 2 (ln2 split in a high part exact in 9 bits and the rest, so n·ln2_hi is exact);
  ;; e^r by its Taylor series to r^7 (the next term is below 5.3e-9 relative), then times 2^n built
  ;; in the exponent bits, in two halves so that results down to 2^-149 (subnormal) come out.
  (func $exp_neg (param $x v128) (result v128)
    (local $n v128) (local $r v128) (local $p v128) (local $k v128) (local $h v128)
    (local.set $n (f32x4.nearest (f32x4.mul (local.get $x) (f32x4.splat (f32.const 1.44269504088896341)))))
    (local.set $r (f32x4.sub (local.get $x) (f32x4.mul (local.get $n) (f32x4.splat (f32.const 0.693359375)))))
    (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $n) (f32x4.splat (f32.const -2.12194440e-4)))))
    (local.set $p (f32x4.add (f32x4.splat (f32.const 0.041666666666666664))
      (f32x4.mul (local.get $r) (f32x4.add (f32x4.splat (f32.const 0.008333333333333333))
        (f32x4.mul (local.get $r) (f32x4.add (f32x4.splat (f32.const 0.001388888888888889))
          (f32x4.mul (local.get $r) (f32x4.splat (f32.const 0.0001984126984126984)))))))))
    (local.set $p (f32x4.add (f32x4.splat (f32.const 1))
      (f32x4.mul (local.get $r) (f32x4.add (f32x4.splat (f32.const 1))
        (f32x4.mul (local.get $r) (f32x4.add (f32x4.splat (f32.const 0.5))
          (f32x4.mul (local.get $r) (f32x4.add (f32x4.splat (f32.const 0.16666666666666666))
            (f32x4.mul (local.get $r) (local.get $p))))))))))
    ;; 2^n = 2^h · 2^(n - h), h = n / 2 (truncated): each half is a normal float for n >= -150
    (local.set $k (i32x4.trunc_sat_f32x4_s (local.get $n)))
    (local.set $h (i32x4.shr_s (local.get $k) (i32.const 1)))
    (f32x4.mul
      (f32x4.mul (local.get $p) (i32x4.shl (i32x4.add (local.get $h) (i32x4.splat (i32.const 127))) (i32.const 23)))
      (i32x4.shl (i32x4.add (i32x4.sub (local.get $k) (local.get $h)) (i32x4.splat (i32.const 127))) (i32.const 23))))

  ;; tanh over $n floats at $x, in place. |x| < 0.25: the odd Taylor series to x^11 (the next term
  ;; is below 1e-10 relative); else (1 − e) / (1 + e) with e = e^(−2|x|), |x| capped at 9 (where
  ;; tanh is 1 in float32), and x's sign put back (so tanh(−0) = −0 and NaN stays NaN).
  (func (export "tanh") (param $x i32) (param $n i32)
    (local $i i32) (local $end i32) (local $v v128) (local $a v128) (local $s v128) (local $small v128) (local $e v128) (local $large v128)
    (local.set $end (i32.shl (i32.and (i32.add (local.get $n) (i32.const 3)) (i32.const -4)) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $v (v128.load (i32.add (local.get $x) (local.get $i))))
        (local.set $a (f32x4.abs (local.get $v)))
        (local.set $s (f32x4.mul (local.get $v) (local.get $v)))
        ;; x·(1 + x²·q(x²)) rather than x + x³·q: keeps the sign of −0
        (local.set $small (f32x4.mul (local.get $v) (f32x4.add (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $s)
          (f32x4.add (f32x4.splat (f32.const -0.3333333333333333))
            (f32x4.mul (local.get $s) (f32x4.add (f32x4.splat (f32.const 0.13333333333333333))
              (f32x4.mul (local.get $s) (f32x4.add (f32x4.splat (f32.const -0.05396825396825397))
                (f32x4.mul (local.get $s) (f32x4.add (f32x4.splat (f32.const 0.021869488536155203))
                  (f32x4.mul (local.get $s) (f32x4.splat (f32.const -0.008863235529902197))))))))))))))
        (local.set $e (call $exp_neg (f32x4.mul (f32x4.min (local.get $a) (f32x4.splat (f32.const 9))) (f32x4.splat (f32.const -2)))))
        (local.set $large (f32x4.div (f32x4.sub (f32x4.splat (f32.const 1)) (local.get $e)) (f32x4.add (f32x4.splat (f32.const 1)) (local.get $e))))
        (local.set $large (v128.or (local.get $large) (v128.and (local.get $v) (i32x4.splat (i32.const 0x80000000)))))
        (v128.store (i32.add (local.get $x) (local.get $i))
          (v128.bitselect (local.get $small) (local.get $large) (f32x4.lt (local.get $a) (f32x4.splat (f32.const 0.25)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next))))

  ;; sigmoid over $n floats at $x, in place: with e = e^(−|x|) (|x| capped at 104, where it is 0 in
  ;; float32), 1 / (1 + e) for x >= 0 and e / (1 + e) below, so neither side overflows or cancels.
  (func (export "sigmoid") (param $x i32) (param $n i32)
    (local $i i32) (local $end i32) (local $v v128) (local $e v128) (local $q v128)
    (local.set $end (i32.shl (i32.and (i32.add (local.get $n) (i32.const 3)) (i32.const -4)) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $v (v128.load (i32.add (local.get $x) (local.get $i))))
        (local.set $e (call $exp_neg (f32x4.neg (f32x4.min (f32x4.abs (local.get $v)) (f32x4.splat (f32.const 104))))))
        (local.set $q (f32x4.div (f32x4.splat (f32.const 1)) (f32x4.add (f32x4.splat (f32.const 1)) (local.get $e))))
        (v128.store (i32.add (local.get $x) (local.get $i))
          (v128.bitselect (local.get $q) (f32x4.mul (local.get $e) (local.get $q)) (f32x4.ge (local.get $v) (f32x4.splat (f32.const 0)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next))))

  ;; Φ(x), the standard normal CDF, four lanes: with z = |x|/√2 (capped at 10.5, where erfc is 0 in
  ;; float32), erfc(z) = t·e^(−z² − 1.26551223 + t·P(t)), t = 1/(1 + z/2) (the Chebyshev fit of
  ;; Numerical Recipes' erfcc, relative error below 1.2e-7, as kernels/erf.ts), then 1 − erfc/2 for
  ;; x >= 0 and erfc/2 below: no cancellation on either side. Within 6 float32 ulps for x >= 0; below,
  ;; the float32 exponent's rounding leaves about 2e-7·z² relative (5e-6 at x = −6, where Φ is 1e-9).
  (func $cdf (param $v v128) (result v128)
    (local $z v128) (local $t v128) (local $p v128) (local $half v128)
    (local.set $z (f32x4.min (f32x4.mul (f32x4.abs (local.get $v)) (f32x4.splat (f32.const 0.7071067811865476))) (f32x4.splat (f32.const 10.5))))
    (local.set $t (f32x4.div (f32x4.splat (f32.const 1)) (f32x4.add (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $z) (f32x4.splat (f32.const 0.5))))))
    (local.set $p (f32x4.add (f32x4.splat (f32.const -0.82215223)) (f32x4.mul (local.get $t) (f32x4.splat (f32.const 0.17087277)))))
    (local.set $p (f32x4.add (f32x4.splat (f32.const 1.48851587)) (f32x4.mul (local.get $t) (local.get $p))))
    (local.set $p (f32x4.add (f32x4.splat (f32.const -1.13520398)) (f32x4.mul (local.get $t) (local.get $p))))
    (local.set $p (f32x4.add (f32x4.splat (f32.const 0.27886807)) (f32x4.mul (local.get $t) (local.get $p))))
    (local.set $p (f32x4.add (f32x4.splat (f32.const -0.18628806)) (f32x4.mul (local.get $t) (local.get $p))))
    (local.set $p (f32x4.add (f32x4.splat (f32.const 0.09678418)) (f32x4.mul (local.get $t) (local.get $p))))
    (local.set $p (f32x4.add (f32x4.splat (f32.const 0.37409196)) (f32x4.mul (local.get $t) (local.get $p))))
    (local.set $p (f32x4.add (f32x4.splat (f32.const 1.00002368)) (f32x4.mul (local.get $t) (local.get $p))))
    (local.set $p (f32x4.add (f32x4.splat (f32.const -1.26551223)) (f32x4.mul (local.get $t) (local.get $p))))
    (local.set $half (f32x4.mul (f32x4.mul (local.get $t) (f32x4.splat (f32.const 0.5)))
      (call $exp_neg (f32x4.sub (local.get $p) (f32x4.mul (local.get $z) (local.get $z))))))
    (v128.bitselect (f32x4.sub (f32x4.splat (f32.const 1)) (local.get $half)) (local.get $half)
      (f32x4.ge (local.get $v) (f32x4.splat (f32.const 0)))))

  ;; GELU, exact form, over $n floats at $x: x·Φ(x) in place, and Φ(x) (what the backward reads) at $saved.
  (func (export "gelu") (param $x i32) (param $saved i32) (param $n i32)
    (local $i i32) (local $end i32) (local $v v128) (local $c v128)
    (local.set $end (i32.shl (i32.and (i32.add (local.get $n) (i32.const 3)) (i32.const -4)) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $v (v128.load (i32.add (local.get $x) (local.get $i))))
        (local.set $c (call $cdf (local.get $v)))
        (v128.store (i32.add (local.get $saved) (local.get $i)) (local.get $c))
        (v128.store (i32.add (local.get $x) (local.get $i)) (f32x4.mul (local.get $v) (local.get $c)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next))))

  ;; Its gradient over $n floats: dy·(Φ(x) + x·φ(x)) in place of x, with φ(x) = e^(−x²/2)/√(2π)
  ;; (the exponent capped at −104, where φ is 0 in float32) and Φ(x) read from $saved.
  (func (export "geluBackward") (param $x i32) (param $saved i32) (param $dy i32) (param $n i32)
    (local $i i32) (local $end i32) (local $v v128) (local $pdf v128)
    (local.set $end (i32.shl (i32.and (i32.add (local.get $n) (i32.const 3)) (i32.const -4)) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $v (v128.load (i32.add (local.get $x) (local.get $i))))
        (local.set $pdf (f32x4.mul (f32x4.splat (f32.const 0.3989422804014327))
          (call $exp_neg (f32x4.neg (f32x4.min (f32x4.mul (f32x4.mul (local.get $v) (local.get $v)) (f32x4.splat (f32.const 0.5))) (f32x4.splat (f32.const 104)))))))
        (v128.store (i32.add (local.get $x) (local.get $i))
          (f32x4.mul (v128.load (i32.add (local.get $dy) (local.get $i)))
            (f32x4.add (v128.load (i32.add (local.get $saved) (local.get $i))) (f32x4.mul (local.get $v) (local.get $pdf)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next))))
)

