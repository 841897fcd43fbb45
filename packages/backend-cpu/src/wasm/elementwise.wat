;; One-pass optimizer updates in WebAssembly SIMD (f32x4), for backend-cpu's sgdStep and adamStep
;; kernels, exp and the activations relu, tanh, sigmoid and GELU (for unary, the fused LSTM cell, gelu) and
;; relu's gradient, the softmaxes and layer norm, float32 arithmetic and comparisons (binary), and permute's strided
;; copy. Compiled at build time by scripts/build-wasm.mjs into elementwise.generated.ts;
;; src/wasm/elementwise.ts drives it: it copies a chunk of each operand into this module's memory
;; (TypedArray.set, far faster than a JavaScript loop per element), calls one function, and copies
;; the results out. Each function works in place on its chunks (binary and compare write to $out),
;; element count rounded up to a multiple of 4 (compare: 16; the padding lanes compute garbage
;; nobody reads). All addresses are in bytes.
;;
;; Every step of an update is the f32 operation, in the order, that the composed tensor-op update
;; performs, so the results equal it bit for bit (the scalars arrive as f32, as the composed path's
;; constants). The activations are approximations within a few float32 ulps (see $exp_all).
;; The memory is fixed in size (min = max): it never grows, so its ArrayBuffer never detaches.
(module
  (memory (export "memory") 6 6) ;; 384 KiB: five 16,384-float chunks (elementwise.ts's layout), then the constants
  ;; @constants-at 327680 (scripts/build-wasm.mjs loads every constant splat below from a table there)

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
  ;; e^x in place over $n floats at $p (rounded up to a multiple of 4): x below −104 (−inf too) is
  ;; raised to −104, whose e^x rounds to 0 in float32, x above 89 (+inf too) lowered to 89, whose
  ;; e^x overflows to +inf in the last multiply, and NaN stays NaN (pmax and pmin keep it). A loop over
  ;; memory rather than a function of one vector, because V8 (Node 20) inlines no wasm call, and a
  ;; call per vector cost its callers 17–25% (each caller stores its arguments in a first pass, calls
  ;; this once, and finishes in a second). x = n·ln2 + r with n = round(x / ln2) (ties to even) and
  ;; |r| <= ln2 / 2 (ln2 split in a high part exact in 9 bits and the rest, so n·ln2_hi is exact);
  ;; e^r by its Taylor series to r^7 (the next term is below 5.3e-9 relative), then times 2^n built
  ;; in the exponent bits, in two halves so that results down to 2^-149 (subnormal) come out.
  (func $exp_all (param $p i32) (param $n i32)
    (local $end i32) (local $v v128) (local $m v128) (local $q v128) (local $r v128) (local $e v128) (local $k v128) (local $h v128)
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (i32.add (local.get $n) (i32.const 3)) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $v (f32x4.pmin (f32x4.pmax (v128.load (local.get $p)) (f32x4.splat (f32.const -104))) (f32x4.splat (f32.const 89))))
        ;; n rounded to nearest even by adding 1.5·2^23 (whose float32 ulp is 1), which also leaves n
        ;; as an integer in the low mantissa bits: $m's bits minus the constant's are n as an i32
        (local.set $m (f32x4.add (f32x4.mul (local.get $v) (f32x4.splat (f32.const 1.44269504088896341))) (f32x4.splat (f32.const 12582912))))
        (local.set $q (f32x4.sub (local.get $m) (f32x4.splat (f32.const 12582912))))
        (local.set $r (f32x4.sub (local.get $v) (f32x4.mul (local.get $q) (f32x4.splat (f32.const 0.693359375)))))
        (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $q) (f32x4.splat (f32.const -2.12194440e-4)))))
        ;; e^r = (1 + r) + r²·(1/2 + r/6) + r⁴·((1/24 + r/120) + r²·(1/720 + r/5040)): Estrin's scheme,
        ;; whose independent halves keep the dependency chain short (Horner's is twice as long)
        (local.set $k (f32x4.mul (local.get $r) (local.get $r)))
        (local.set $h (f32x4.mul (local.get $k) (local.get $k)))
        (local.set $e (f32x4.add
          (f32x4.add (f32x4.add (f32x4.splat (f32.const 1)) (local.get $r))
            (f32x4.mul (local.get $k) (f32x4.add (f32x4.splat (f32.const 0.5)) (f32x4.mul (local.get $r) (f32x4.splat (f32.const 0.16666666666666666))))))
          (f32x4.mul (local.get $h)
            (f32x4.add (f32x4.add (f32x4.splat (f32.const 0.041666666666666664)) (f32x4.mul (local.get $r) (f32x4.splat (f32.const 0.008333333333333333))))
              (f32x4.mul (local.get $k) (f32x4.add (f32x4.splat (f32.const 0.001388888888888889)) (f32x4.mul (local.get $r) (f32x4.splat (f32.const 0.0001984126984126984)))))))))
        ;; 2^n = 2^h · 2^(n - h), h = n / 2 (truncated): each half is a normal float for n >= -150
        (local.set $k (i32x4.sub (local.get $m) (i32x4.splat (i32.const 0x4b400000))))
        (local.set $h (i32x4.shr_s (local.get $k) (i32.const 1)))
        (v128.store (local.get $p)
          (f32x4.mul
            (f32x4.mul (local.get $e) (i32x4.shl (i32x4.add (local.get $h) (i32x4.splat (i32.const 127))) (i32.const 23)))
            (i32x4.shl (i32x4.add (i32x4.sub (local.get $k) (local.get $h)) (i32x4.splat (i32.const 127))) (i32.const 23))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $next))))

  ;; e^x over $n floats at $x, in place (the unary exp op): $exp_all, within a few float32 ulps
  ;; ($scratch is unused: the activations' signature, so that one JavaScript call serves all three)
  (func (export "exp") (param $x i32) (param $scratch i32) (param $n i32)
    (call $exp_all (local.get $x) (local.get $n)))

  ;; tanh over $n floats at $x, in place. |x| < 0.25: the odd Taylor series to x^11 (the next term
  ;; is below 1e-10 relative); else (1 − e) / (1 + e) with e = e^(−2|x|) ($exp_all's clamp at −104
  ;; makes e 0 for large |x|, where tanh is 1 in float32), and x's sign put back (so tanh(−0) = −0
  ;; and NaN stays NaN).
  (func (export "tanh") (param $x i32) (param $scratch i32) (param $n i32)
    (local $i i32) (local $end i32) (local $v v128) (local $s v128) (local $small v128) (local $e v128) (local $large v128)
    (local.set $end (i32.shl (i32.and (i32.add (local.get $n) (i32.const 3)) (i32.const -4)) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (v128.store (i32.add (local.get $scratch) (local.get $i))
          (f32x4.mul (f32x4.abs (v128.load (i32.add (local.get $x) (local.get $i)))) (f32x4.splat (f32.const -2))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next)))
    (call $exp_all (local.get $scratch) (local.get $n))
    (local.set $i (i32.const 0))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $v (v128.load (i32.add (local.get $x) (local.get $i))))
        (local.set $s (f32x4.mul (local.get $v) (local.get $v)))
        ;; x·(1 + x²·q(x²)) rather than x + x³·q: keeps the sign of −0
        (local.set $small (f32x4.mul (local.get $v) (f32x4.add (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $s)
          (f32x4.add (f32x4.splat (f32.const -0.3333333333333333))
            (f32x4.mul (local.get $s) (f32x4.add (f32x4.splat (f32.const 0.13333333333333333))
              (f32x4.mul (local.get $s) (f32x4.add (f32x4.splat (f32.const -0.05396825396825397))
                (f32x4.mul (local.get $s) (f32x4.add (f32x4.splat (f32.const 0.021869488536155203))
                  (f32x4.mul (local.get $s) (f32x4.splat (f32.const -0.008863235529902197))))))))))))))
        (local.set $e (v128.load (i32.add (local.get $scratch) (local.get $i))))
        (local.set $large (f32x4.div (f32x4.sub (f32x4.splat (f32.const 1)) (local.get $e)) (f32x4.add (f32x4.splat (f32.const 1)) (local.get $e))))
        (local.set $large (v128.or (local.get $large) (v128.and (local.get $v) (i32x4.splat (i32.const 0x80000000)))))
        (v128.store (i32.add (local.get $x) (local.get $i))
          (v128.bitselect (local.get $small) (local.get $large) (f32x4.lt (f32x4.abs (local.get $v)) (f32x4.splat (f32.const 0.25)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next))))

  ;; relu over $n floats at $x, in place, on the bits: a set sign bit (negative numbers, −0, −inf)
  ;; gives +0, anything else (positive numbers, +inf, NaN of either sign) passes as it is. With $grad
  ;; nonzero, relu's gradient instead: the floats at $dy where the float at $x (relu's input or
  ;; output: each is above 0 exactly where the other is) is above 0, else +0, into $x.
  (func (export "relu") (param $x i32) (param $dy i32) (param $n i32) (param $grad i32)
    (local $i i32) (local $v v128)
    (local.set $n (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $v (v128.load (i32.add (local.get $x) (local.get $i))))
        (v128.store (i32.add (local.get $x) (local.get $i))
          (if (result v128) (local.get $grad)
            (then (v128.and (v128.load (i32.add (local.get $dy) (local.get $i))) (f32x4.gt (local.get $v) (v128.const i32x4 0 0 0 0))))
            (else (v128.and (local.get $v) (v128.or (v128.not (i32x4.shr_s (local.get $v) (i32.const 31))) (f32x4.ne (local.get $v) (local.get $v)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next))))

  ;; sigmoid over $n floats at $x, in place: with e = e^(−|x|) (0 past |x| = 104, by $exp_all's clamp), 1 / (1 + e) for x >= 0 and e / (1 + e) below, so neither side overflows or cancels.
  (func (export "sigmoid") (param $x i32) (param $scratch i32) (param $n i32)
    (local $i i32) (local $end i32) (local $v v128) (local $e v128) (local $q v128)
    (local.set $end (i32.shl (i32.and (i32.add (local.get $n) (i32.const 3)) (i32.const -4)) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (v128.store (i32.add (local.get $scratch) (local.get $i))
          (f32x4.neg (f32x4.abs (v128.load (i32.add (local.get $x) (local.get $i))))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next)))
    (call $exp_all (local.get $scratch) (local.get $n))
    (local.set $i (i32.const 0))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $v (v128.load (i32.add (local.get $x) (local.get $i))))
        (local.set $e (v128.load (i32.add (local.get $scratch) (local.get $i))))
        (local.set $q (f32x4.div (f32x4.splat (f32.const 1)) (f32x4.add (f32x4.splat (f32.const 1)) (local.get $e))))
        (v128.store (i32.add (local.get $x) (local.get $i))
          (v128.bitselect (local.get $q) (f32x4.mul (local.get $e) (local.get $q)) (f32x4.ge (local.get $v) (f32x4.splat (f32.const 0)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next))))

  ;; GELU, exact form, over $n floats at $x: x·Φ(x) in place, and at $saved what the backward
  ;; reads, the slope Φ(x) + x·φ(x) ($scratch: room for $n more floats), so that the gradient is one
  ;; multiply. Φ(x), the standard normal CDF, from erfc(z) = t·e^(−z²)·Q(t) with z = |x|/√2 and
  ;; t = 1/(1 + z/2): Q is a degree-10 polynomial fitted (relative weights, float64) to erfc(z)·e^(z²)/t
  ;; on t in (0, 1], within 1.1e-8; then 1 − erfc/2 for x >= 0 and erfc/2 below, no cancellation on
  ;; either side. φ(x) = e^(−z²)/√(2π) is the same exponential (past z² ≈ 104 its clamp makes both 0,
  ;; as they are in float32). x·Φ(x) within 6 float32 ulps for x >= 0 (the test's bound; the fit
  ;; alone is 3 in a float32 simulation over [−14, 14]); below, the float32 z² is rounded, about
  ;; 2e-7·z² relative. In two passes
  ;; over the chunk (t·Q(t)/2 and −z², then e^(−z²), Φ and the slope): each pass's dependency chain is
  ;; short, so the processor overlaps more vectors.
  (func (export "gelu") (param $x i32) (param $saved i32) (param $scratch i32) (param $n i32)
    (local $i i32) (local $end i32) (local $v v128) (local $c v128) (local $e v128)
    (local $z v128) (local $t v128) (local $t2 v128) (local $t4 v128) (local $p v128)
    (local.set $end (i32.shl (i32.and (i32.add (local.get $n) (i32.const 3)) (i32.const -4)) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $z (f32x4.mul (f32x4.abs (v128.load (i32.add (local.get $x) (local.get $i)))) (f32x4.splat (f32.const 0.7071067811865476))))
        (local.set $t (f32x4.div (f32x4.splat (f32.const 1)) (f32x4.add (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $z) (f32x4.splat (f32.const 0.5))))))
        ;; Q(t) by Estrin's scheme (pairs, then t², t⁴, t⁸): a short dependency chain
        (local.set $t2 (f32x4.mul (local.get $t) (local.get $t)))
        (local.set $t4 (f32x4.mul (local.get $t2) (local.get $t2)))
        (local.set $p (f32x4.add
          (f32x4.add
            (f32x4.add
              (f32x4.add (f32x4.splat (f32.const 0.282094806432724)) (f32x4.mul (local.get $t) (f32x4.splat (f32.const 0.2820938527584076))))
              (f32x4.mul (local.get $t2) (f32x4.add (f32x4.splat (f32.const 0.24688073992729187)) (f32x4.mul (local.get $t) (f32x4.splat (f32.const 0.1753750890493393))))))
            (f32x4.mul (local.get $t4)
              (f32x4.add
                (f32x4.add (f32x4.splat (f32.const 0.09301160275936127)) (f32x4.mul (local.get $t) (f32x4.splat (f32.const -0.05727328732609749))))
                (f32x4.mul (local.get $t2) (f32x4.add (f32x4.splat (f32.const 0.12718237936496735)) (f32x4.mul (local.get $t) (f32x4.splat (f32.const -0.4471088647842407))))))))
          (f32x4.mul (f32x4.mul (local.get $t4) (local.get $t4))
            (f32x4.add
              (f32x4.add (f32x4.splat (f32.const 0.4862913191318512)) (f32x4.mul (local.get $t) (f32x4.splat (f32.const -0.23091086745262146))))
              (f32x4.mul (local.get $t2) (f32x4.splat (f32.const 0.042363278567790985)))))))
        (v128.store (i32.add (local.get $saved) (local.get $i)) (f32x4.mul (f32x4.mul (local.get $t) (local.get $p)) (f32x4.splat (f32.const 0.5))))
        (v128.store (i32.add (local.get $scratch) (local.get $i)) (f32x4.neg (f32x4.mul (local.get $z) (local.get $z))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next)))
    (call $exp_all (local.get $scratch) (local.get $n))
    (local.set $i (i32.const 0))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $v (v128.load (i32.add (local.get $x) (local.get $i))))
        (local.set $e (v128.load (i32.add (local.get $scratch) (local.get $i))))
        ;; erfc(z)/2, then 1 − erfc/2 for x >= 0 and erfc/2 below
        (local.set $t (f32x4.mul (v128.load (i32.add (local.get $saved) (local.get $i))) (local.get $e)))
        (local.set $c (v128.bitselect (f32x4.sub (f32x4.splat (f32.const 1)) (local.get $t)) (local.get $t)
          (f32x4.ge (local.get $v) (f32x4.splat (f32.const 0)))))
        (v128.store (i32.add (local.get $saved) (local.get $i))
          (f32x4.add (local.get $c) (f32x4.mul (local.get $v) (f32x4.mul (local.get $e) (f32x4.splat (f32.const 0.3989422804014327))))))
        (v128.store (i32.add (local.get $x) (local.get $i)) (f32x4.mul (local.get $v) (local.get $c)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next))))

  ;; out = a op b over $n floats (rounded up to a multiple of 4) at $a, $b and $out, with op 0 add,
  ;; 1 subtract, 2 multiply, 3 divide: the f32 operation, which is what a JavaScript loop's float64
  ;; operation gives once rounded to float32 (double rounding is exact for these four).
  (func (export "binary") (param $op i32) (param $a i32) (param $b i32) (param $out i32) (param $n i32)
    (local $i i32)
    (local.set $n (i32.shl (local.get $n) (i32.const 2)))
    (block $div (block $mul (block $sub (block $add
      (br_table $add $sub $mul $div (local.get $op)))
      (loop $l (if (i32.lt_u (local.get $i) (local.get $n)) (then
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.add (v128.load (i32.add (local.get $a) (local.get $i))) (v128.load (i32.add (local.get $b) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $l))))
      (return))
      (loop $l (if (i32.lt_u (local.get $i) (local.get $n)) (then
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.sub (v128.load (i32.add (local.get $a) (local.get $i))) (v128.load (i32.add (local.get $b) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $l))))
      (return))
      (loop $l (if (i32.lt_u (local.get $i) (local.get $n)) (then
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $i))) (v128.load (i32.add (local.get $b) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $l))))
      (return))
    (loop $l (if (i32.lt_u (local.get $i) (local.get $n)) (then
      (v128.store (i32.add (local.get $out) (local.get $i))
        (f32x4.div (v128.load (i32.add (local.get $a) (local.get $i))) (v128.load (i32.add (local.get $b) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $l)))))

  ;; out = a op b as bytes 0 or 1 over $n floats (rounded up to a multiple of 16) at $a and $b, the
  ;; bytes at $out, with op 0 equal, 1 less, 2 less or equal; $flip 1 turns every result over (not
  ;; equal from equal). A NaN compares false, so not equal to it is true, as in JavaScript.
  (func (export "compare") (param $op i32) (param $a i32) (param $b i32) (param $out i32) (param $n i32) (param $flip i32)
    (local $i i32) (local $x i32) (local $y i32)
    (local.set $n (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $x (i32.add (local.get $a) (local.get $i)))
        (local.set $y (i32.add (local.get $b) (local.get $i)))
        ;; four masks of four lanes narrowed to sixteen bytes of 0 or -1, then 0 or 1
        (v128.store (i32.add (local.get $out) (i32.shr_u (local.get $i) (i32.const 2)))
          (v128.xor
            (v128.and
              (i8x16.narrow_i16x8_s
                (i16x8.narrow_i32x4_s (call $cmp (local.get $op) (local.get $x) (local.get $y)) (call $cmp (local.get $op) (i32.add (local.get $x) (i32.const 16)) (i32.add (local.get $y) (i32.const 16))))
                (i16x8.narrow_i32x4_s (call $cmp (local.get $op) (i32.add (local.get $x) (i32.const 32)) (i32.add (local.get $y) (i32.const 32))) (call $cmp (local.get $op) (i32.add (local.get $x) (i32.const 48)) (i32.add (local.get $y) (i32.const 48)))))
              (i8x16.splat (i32.const 1)))
            (i8x16.splat (local.get $flip))))
        (local.set $i (i32.add (local.get $i) (i32.const 64)))
        (br $next))))

  ;; The lanes' mask of (four floats at $a) op (four floats at $b), op as in compare.
  (func $cmp (param $op i32) (param $a i32) (param $b i32) (result v128)
    (if (result v128) (i32.eqz (local.get $op))
      (then (f32x4.eq (v128.load (local.get $a)) (v128.load (local.get $b))))
      (else (if (result v128) (i32.eq (local.get $op) (i32.const 1))
        (then (f32x4.lt (v128.load (local.get $a)) (v128.load (local.get $b))))
        (else (f32x4.le (v128.load (local.get $a)) (v128.load (local.get $b))))))))

  ;; The four lanes' sum, in the order ((0 + 1) + (2 + 3)).
  (func $hsum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; Softmax over $rows rows of $cols floats at $x, in place: row r becomes softmax($scale·x). With
  ;; $causal nonzero, row r is query (($row0 + r) mod $l) of an attention of $l queries, and only its
  ;; first min($cols, that + 1) entries take part (the rest become 0), as a causal mask of −∞ does.
  ;; Shifted by the row's maximum (0 for a row of −∞, which then yields NaN as in PyTorch); the
  ;; exponentials are summed in four lanes, and each is multiplied by 1 / the sum.
  (func (export "softmax") (param $x i32) (param $rows i32) (param $cols i32) (param $scale f32) (param $causal i32) (param $row0 i32) (param $l i32)
    (local $r i32) (local $base i32) (local $len i32) (local $vend i32) (local $end i32) (local $j i32)
    (local $vs v128) (local $v v128) (local $m v128) (local $acc v128) (local $mx f32) (local $sum f32) (local $e f32)
    (local.set $vs (f32x4.splat (local.get $scale)))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $base (i32.add (local.get $x) (i32.shl (i32.mul (local.get $r) (local.get $cols)) (i32.const 2))))
        (local.set $len (local.get $cols))
        (if (local.get $causal)
          (then
            (local.set $len (i32.add (i32.rem_u (i32.add (local.get $row0) (local.get $r)) (local.get $l)) (i32.const 1)))
            (if (i32.gt_u (local.get $len) (local.get $cols)) (then (local.set $len (local.get $cols))))))
        (local.set $vend (i32.shl (i32.and (local.get $len) (i32.const -4)) (i32.const 2)))
        (local.set $end (i32.shl (local.get $len) (i32.const 2)))
        ;; scale in place, and the maximum: pmax, one instruction (f32x4.max is a sequence in V8 for its
        ;; NaN rule; 27% of this softmax on rows of 64), skips a NaN, which still makes the row NaN (its
        ;; exponential goes into the sum)
        (local.set $m (f32x4.splat (f32.const -inf)))
        (local.set $j (i32.const 0))
        (block $d1 (loop $l1
          (br_if $d1 (i32.ge_u (local.get $j) (local.get $vend)))
          (local.set $v (f32x4.mul (v128.load (i32.add (local.get $base) (local.get $j))) (local.get $vs)))
          (v128.store (i32.add (local.get $base) (local.get $j)) (local.get $v))
          (local.set $m (f32x4.pmax (local.get $m) (local.get $v)))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $l1)))
        (local.set $mx (f32.max
          (f32.max (f32x4.extract_lane 0 (local.get $m)) (f32x4.extract_lane 1 (local.get $m)))
          (f32.max (f32x4.extract_lane 2 (local.get $m)) (f32x4.extract_lane 3 (local.get $m)))))
        (block $d2 (loop $l2
          (br_if $d2 (i32.ge_u (local.get $j) (local.get $end)))
          (local.set $e (f32.mul (f32.load (i32.add (local.get $base) (local.get $j))) (local.get $scale)))
          (f32.store (i32.add (local.get $base) (local.get $j)) (local.get $e))
          (local.set $mx (f32.max (local.get $mx) (local.get $e)))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $l2)))
        (if (f32.eq (local.get $mx) (f32.const -inf)) (then (local.set $mx (f32.const 0))))
        ;; e^(x − max) in place: x − max, at least −104, for the row's len entries rounded up to whole
        ;; vectors, then one $exp_all over them (the four floats after the len entries are put back
        ;; once the row is scaled; the module's memory goes on after any row)
        (local.set $m (f32x4.splat (local.get $mx)))
        (local.set $v (v128.load (i32.add (local.get $base) (local.get $end))))
        (local.set $j (i32.const 0))
        (block $d3 (loop $l3
          (br_if $d3 (i32.ge_u (local.get $j) (local.get $end)))
          (v128.store (i32.add (local.get $base) (local.get $j))
            (f32x4.sub (v128.load (i32.add (local.get $base) (local.get $j))) (local.get $m)))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $l3)))
        (call $exp_all (local.get $base) (local.get $len))
        ;; summed in four lanes, then the last len mod 4
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        (block $d8 (loop $l8
          (br_if $d8 (i32.ge_u (local.get $j) (local.get $vend)))
          (local.set $acc (f32x4.add (local.get $acc) (v128.load (i32.add (local.get $base) (local.get $j)))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $l8)))
        (local.set $sum (call $hsum (local.get $acc)))
        (block $d9 (loop $l9
          (br_if $d9 (i32.ge_u (local.get $j) (local.get $end)))
          (local.set $sum (f32.add (local.get $sum) (f32.load (i32.add (local.get $base) (local.get $j)))))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $l9)))
        ;; times 1 / sum; the masked entries become 0
        (local.set $e (f32.div (f32.const 1) (local.get $sum)))
        (local.set $m (f32x4.splat (local.get $e)))
        (local.set $j (i32.const 0))
        (block $d5 (loop $l5
          (br_if $d5 (i32.ge_u (local.get $j) (local.get $end)))
          (v128.store (i32.add (local.get $base) (local.get $j)) (f32x4.mul (v128.load (i32.add (local.get $base) (local.get $j))) (local.get $m)))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $l5)))
        (v128.store (i32.add (local.get $base) (local.get $end)) (local.get $v))
        (local.set $j (local.get $end))
        (local.set $end (i32.shl (local.get $cols) (i32.const 2)))
        (block $d7 (loop $l7
          (br_if $d7 (i32.ge_u (local.get $j) (local.get $end)))
          (f32.store (i32.add (local.get $base) (local.get $j)) (f32.const 0))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $l7)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; The gradient of a softmax over $rows rows of $cols floats, from its output at $y and the
  ;; incoming gradient at $dy, in place of $dy: $scale·y·(dy − Σ_row dy·y) (the dot in four lanes).
  (func (export "softmaxBackward") (param $y i32) (param $dy i32) (param $rows i32) (param $cols i32) (param $scale f32)
    (local $r i32) (local $off i32) (local $vend i32) (local $end i32) (local $j i32)
    (local $acc v128) (local $vd v128) (local $vs v128) (local $dot f32) (local $a i32) (local $b i32)
    (local.set $vs (f32x4.splat (local.get $scale)))
    (local.set $vend (i32.shl (i32.and (local.get $cols) (i32.const -4)) (i32.const 2)))
    (local.set $end (i32.shl (local.get $cols) (i32.const 2)))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $off (i32.shl (i32.mul (local.get $r) (local.get $cols)) (i32.const 2)))
        (local.set $a (i32.add (local.get $y) (local.get $off)))
        (local.set $b (i32.add (local.get $dy) (local.get $off)))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        (block $d1 (loop $l1
          (br_if $d1 (i32.ge_u (local.get $j) (local.get $vend)))
          (local.set $acc (f32x4.add (local.get $acc)
            (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $j))) (v128.load (i32.add (local.get $b) (local.get $j))))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $l1)))
        (local.set $dot (call $hsum (local.get $acc)))
        (block $d2 (loop $l2
          (br_if $d2 (i32.ge_u (local.get $j) (local.get $end)))
          (local.set $dot (f32.add (local.get $dot)
            (f32.mul (f32.load (i32.add (local.get $a) (local.get $j))) (f32.load (i32.add (local.get $b) (local.get $j))))))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $l2)))
        (local.set $vd (f32x4.splat (local.get $dot)))
        (local.set $j (i32.const 0))
        (block $d3 (loop $l3
          (br_if $d3 (i32.ge_u (local.get $j) (local.get $vend)))
          (v128.store (i32.add (local.get $b) (local.get $j))
            (f32x4.mul (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $j)))
              (f32x4.sub (v128.load (i32.add (local.get $b) (local.get $j))) (local.get $vd))) (local.get $vs)))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $l3)))
        (block $d4 (loop $l4
          (br_if $d4 (i32.ge_u (local.get $j) (local.get $end)))
          (f32.store (i32.add (local.get $b) (local.get $j))
            (f32.mul (f32.mul (f32.load (i32.add (local.get $a) (local.get $j)))
              (f32.sub (f32.load (i32.add (local.get $b) (local.get $j))) (local.get $dot))) (local.get $scale)))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $l4)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))
  ;; The layer norms' float64 row sums add a vector's four float32 lanes, widened, to two float64
  ;; lanes: the halves summed first, so a loop carries one add per vector, not two (8% faster layer
  ;; norm backward). Written out in each loop, not called: V8 (Node 20) inlines no wasm call, and a
  ;; call per vector made layerNormBackward 1.6x slower ([768, 128]: 250-270 us against 110-160).
  (func $lanes64 (param $v v128) (result f64)
    (f64.add (f64x2.extract_lane 0 (local.get $v)) (f64x2.extract_lane 1 (local.get $v))))

  ;; Layer norm of $rows rows of $cols floats at $x ($cols a multiple of 4), in place: the row's mean
  ;; μ and variance from float64 sums, rstd = 1/√(var + $eps), x̂ = (x − μ)·rstd in float64, rounded,
  ;; then times w ($flags & 1, $cols floats at $w) and plus b ($flags & 2, at $b). μ and rstd, rounded
  ;; to float32, go to $mean and $rstd (one float per row).
  (func (export "layerNorm") (param $x i32) (param $w i32) (param $b i32) (param $mean i32) (param $rstd i32) (param $rows i32) (param $cols i32) (param $eps f64) (param $flags i32)
    (local $r i32) (local $base i32) (local $j i32) (local $end i32) (local $v v128) (local $acc v128) (local $lo v128) (local $hi v128)
    (local $vmu v128) (local $vinv v128) (local $y v128) (local $mu f64) (local $inv f64) (local $n f64)
    (local.set $end (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $n (f64.convert_i32_u (local.get $cols)))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $base (i32.add (local.get $x) (i32.mul (local.get $r) (local.get $end))))
        (local.set $acc (v128.const i64x2 0 0))
        (local.set $j (i32.const 0))
        (block $d1 (loop $l1
          (br_if $d1 (i32.ge_u (local.get $j) (local.get $end)))
          (local.set $v (v128.load (i32.add (local.get $base) (local.get $j))))
          (local.set $acc (f64x2.add (local.get $acc) (f64x2.add (f64x2.promote_low_f32x4 (local.get $v)) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $l1)))
        (local.set $mu (f64.div (call $lanes64 (local.get $acc)) (local.get $n)))
        (local.set $vmu (f64x2.splat (local.get $mu)))
        (local.set $acc (v128.const i64x2 0 0))
        (local.set $j (i32.const 0))
        (block $d2 (loop $l2
          (br_if $d2 (i32.ge_u (local.get $j) (local.get $end)))
          (local.set $v (v128.load (i32.add (local.get $base) (local.get $j))))
          (local.set $lo (f64x2.sub (f64x2.promote_low_f32x4 (local.get $v)) (local.get $vmu)))
          (local.set $hi (f64x2.sub (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))) (local.get $vmu)))
          (local.set $acc (f64x2.add (local.get $acc) (f64x2.add (f64x2.mul (local.get $lo) (local.get $lo)) (f64x2.mul (local.get $hi) (local.get $hi)))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $l2)))
        (local.set $inv (f64.div (f64.const 1) (f64.sqrt (f64.add (f64.div (call $lanes64 (local.get $acc)) (local.get $n)) (local.get $eps)))))
        (f32.store (i32.add (local.get $mean) (i32.shl (local.get $r) (i32.const 2))) (f32.demote_f64 (local.get $mu)))
        (f32.store (i32.add (local.get $rstd) (i32.shl (local.get $r) (i32.const 2))) (f32.demote_f64 (local.get $inv)))
        (local.set $vinv (f64x2.splat (local.get $inv)))
        (local.set $j (i32.const 0))
        (block $d3 (loop $l3
          (br_if $d3 (i32.ge_u (local.get $j) (local.get $end)))
          (local.set $v (v128.load (i32.add (local.get $base) (local.get $j))))
          (local.set $lo (f64x2.mul (f64x2.sub (f64x2.promote_low_f32x4 (local.get $v)) (local.get $vmu)) (local.get $vinv)))
          (local.set $hi (f64x2.mul (f64x2.sub (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))) (local.get $vmu)) (local.get $vinv)))
          (local.set $y (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (f32x4.demote_f64x2_zero (local.get $lo)) (f32x4.demote_f64x2_zero (local.get $hi))))
          (if (i32.and (local.get $flags) (i32.const 1)) (then (local.set $y (f32x4.mul (local.get $y) (v128.load (i32.add (local.get $w) (local.get $j)))))))
          (if (i32.and (local.get $flags) (i32.const 2)) (then (local.set $y (f32x4.add (local.get $y) (v128.load (i32.add (local.get $b) (local.get $j)))))))
          (v128.store (i32.add (local.get $base) (local.get $j)) (local.get $y))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $l3)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; The input gradient of layerNorm for $rows rows of $cols floats ($cols a multiple of 4), in place
  ;; of $dy: with g = dy·w (w at $w when $flags & 1, else g = dy), x̂ = (x − μ)·rstd from the saved
  ;; float32 μ and rstd (one per row at $mean, $rstd), and the row means of g and g·x̂ from float64
  ;; sums: dx = rstd·(g − mean(g) − x̂·mean(g·x̂)).
  (func (export "layerNormBackward") (param $x i32) (param $w i32) (param $mean i32) (param $rstd i32) (param $dy i32) (param $rows i32) (param $cols i32) (param $flags i32)
    (local $r i32) (local $off i32) (local $j i32) (local $end i32) (local $g v128) (local $xh v128) (local $sg v128) (local $sgx v128)
    (local $vmu v128) (local $vinv v128) (local $mg v128) (local $mgx v128) (local $n f64)
    (local.set $end (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $n (f64.convert_i32_u (local.get $cols)))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $off (i32.mul (local.get $r) (local.get $end)))
        (local.set $vmu (v128.load32_splat (i32.add (local.get $mean) (i32.shl (local.get $r) (i32.const 2)))))
        (local.set $vinv (v128.load32_splat (i32.add (local.get $rstd) (i32.shl (local.get $r) (i32.const 2)))))
        (local.set $sg (v128.const i64x2 0 0))
        (local.set $sgx (v128.const i64x2 0 0))
        (local.set $j (i32.const 0))
        (block $d1 (loop $l1
          (br_if $d1 (i32.ge_u (local.get $j) (local.get $end)))
          (local.set $g (v128.load (i32.add (local.get $dy) (i32.add (local.get $off) (local.get $j)))))
          (if (i32.and (local.get $flags) (i32.const 1)) (then (local.set $g (f32x4.mul (local.get $g) (v128.load (i32.add (local.get $w) (local.get $j)))))))
          (local.set $xh (f32x4.mul (f32x4.sub (v128.load (i32.add (local.get $x) (i32.add (local.get $off) (local.get $j)))) (local.get $vmu)) (local.get $vinv)))
          (local.set $sg (f64x2.add (local.get $sg) (f64x2.add (f64x2.promote_low_f32x4 (local.get $g)) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $g) (local.get $g))))))
          (local.set $xh (f32x4.mul (local.get $g) (local.get $xh)))
          (local.set $sgx (f64x2.add (local.get $sgx) (f64x2.add (f64x2.promote_low_f32x4 (local.get $xh)) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $xh) (local.get $xh))))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $l1)))
        (local.set $mg (f32x4.splat (f32.demote_f64 (f64.div (call $lanes64 (local.get $sg)) (local.get $n)))))
        (local.set $mgx (f32x4.splat (f32.demote_f64 (f64.div (call $lanes64 (local.get $sgx)) (local.get $n)))))
        (local.set $j (i32.const 0))
        (block $d2 (loop $l2
          (br_if $d2 (i32.ge_u (local.get $j) (local.get $end)))
          (local.set $g (v128.load (i32.add (local.get $dy) (i32.add (local.get $off) (local.get $j)))))
          (if (i32.and (local.get $flags) (i32.const 1)) (then (local.set $g (f32x4.mul (local.get $g) (v128.load (i32.add (local.get $w) (local.get $j)))))))
          (local.set $xh (f32x4.mul (f32x4.sub (v128.load (i32.add (local.get $x) (i32.add (local.get $off) (local.get $j)))) (local.get $vmu)) (local.get $vinv)))
          (v128.store (i32.add (local.get $dy) (i32.add (local.get $off) (local.get $j)))
            (f32x4.mul (local.get $vinv) (f32x4.sub (f32x4.sub (local.get $g) (local.get $mg)) (f32x4.mul (local.get $xh) (local.get $mgx)))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $l2)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))
  ;; The weight and bias gradients of layerNorm over $rows staged rows of $len floats ($len a
  ;; multiple of 4), accumulated row by row (the data's order) into float64 sums at $acc: $len sums
  ;; of dy·x̂, then $len sums of dy, with x̂ = (x − μ)·rstd from the row's float32 μ and rstd (one per
  ;; row at $mean, $rstd) and dy·x̂ rounded to float32. $init zeroes the sums first.
  (func (export "layerNormParamGrad") (param $x i32) (param $dy i32) (param $mean i32) (param $rstd i32) (param $acc i32) (param $rows i32) (param $len i32) (param $init i32)
    (local $r i32) (local $off i32) (local $j i32) (local $end i32) (local $sb i32) (local $a i32)
    (local $d v128) (local $p v128) (local $vmu v128) (local $vinv v128)
    (local.set $end (i32.shl (local.get $len) (i32.const 2)))
    (local.set $sb (i32.add (local.get $acc) (i32.shl (local.get $len) (i32.const 3))))
    (if (local.get $init)
      (then (memory.fill (local.get $acc) (i32.const 0) (i32.shl (local.get $len) (i32.const 4)))))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $off (i32.mul (local.get $r) (local.get $end)))
        (local.set $vmu (v128.load32_splat (i32.add (local.get $mean) (i32.shl (local.get $r) (i32.const 2)))))
        (local.set $vinv (v128.load32_splat (i32.add (local.get $rstd) (i32.shl (local.get $r) (i32.const 2)))))
        (local.set $j (i32.const 0))
        (block $d1 (loop $l1
          (br_if $d1 (i32.ge_u (local.get $j) (local.get $end)))
          (local.set $d (v128.load (i32.add (local.get $dy) (i32.add (local.get $off) (local.get $j)))))
          (local.set $p (f32x4.mul (local.get $d)
            (f32x4.mul (f32x4.sub (v128.load (i32.add (local.get $x) (i32.add (local.get $off) (local.get $j)))) (local.get $vmu)) (local.get $vinv))))
          ;; float j's sums are float64 j of each half: byte 2·(4j)
          (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $j) (i32.const 1))))
          (v128.store (local.get $a) (f64x2.add (v128.load (local.get $a)) (f64x2.promote_low_f32x4 (local.get $p))))
          (v128.store offset=16 (local.get $a) (f64x2.add (v128.load offset=16 (local.get $a))
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $p) (local.get $p)))))
          (local.set $a (i32.add (local.get $sb) (i32.shl (local.get $j) (i32.const 1))))
          (v128.store (local.get $a) (f64x2.add (v128.load (local.get $a)) (f64x2.promote_low_f32x4 (local.get $d))))
          (v128.store offset=16 (local.get $a) (f64x2.add (v128.load offset=16 (local.get $a))
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $d) (local.get $d)))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $l1)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; A permute's copy: $blocks blocks, block b's input at $src + b·$s0, each walked as $n1 × $n2
  ;; rows with input strides $s1, $s2, each row $n3 contiguous bytes (a multiple of 16, copied a
  ;; vector at a time: the bits, a NaN's payload kept), written contiguously from $dst on. In bytes.
  (func (export "permute") (param $src i32) (param $dst i32) (param $blocks i32) (param $s0 i32)
    (param $n1 i32) (param $s1 i32) (param $n2 i32) (param $s2 i32) (param $n3 i32)
    (local $b i32) (local $i1 i32) (local $i2 i32) (local $p1 i32) (local $p2 i32) (local $p i32) (local $e i32)
    (block $doneB
      (loop $nextB
        (br_if $doneB (i32.ge_u (local.get $b) (local.get $blocks)))
        (local.set $p1 (i32.add (local.get $src) (i32.mul (local.get $b) (local.get $s0))))
        (local.set $i1 (i32.const 0))
        (block $done1
          (loop $next1
            (br_if $done1 (i32.ge_u (local.get $i1) (local.get $n1)))
            (local.set $p2 (local.get $p1))
            (local.set $i2 (i32.const 0))
            (block $done2
              (loop $next2
                (br_if $done2 (i32.ge_u (local.get $i2) (local.get $n2)))
                (local.set $p (local.get $p2))
                (local.set $e (i32.add (local.get $dst) (local.get $n3)))
                (block $doneV
                  (loop $nextV
                    (br_if $doneV (i32.ge_u (local.get $dst) (local.get $e)))
                    (v128.store (local.get $dst) (v128.load (local.get $p)))
                    (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
                    (local.set $p (i32.add (local.get $p) (i32.const 16)))
                    (br $nextV)))
                (local.set $p2 (i32.add (local.get $p2) (local.get $s2)))
                (local.set $i2 (i32.add (local.get $i2) (i32.const 1)))
                (br $next2)))
            (local.set $p1 (i32.add (local.get $p1) (local.get $s1)))
            (local.set $i1 (i32.add (local.get $i1) (i32.const 1)))
            (br $next1)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $nextB))))
)
