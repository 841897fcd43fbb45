;; One-pass optimizer updates in WebAssembly SIMD (f32x4), for backend-cpu's sgdStep and adamStep
;; kernels. Compiled at build time by scripts/build-wasm.mjs into elementwise.generated.ts;
;; src/wasm/elementwise.ts drives it: it copies a chunk of each operand into this module's memory
;; (TypedArray.set, far faster than a JavaScript loop per element), calls one function, and copies
;; the results out. Each function works in place on its chunks, element count rounded up to a
;; multiple of 4 (the padding lanes compute garbage nobody reads). All addresses are in bytes.
;;
;; Every step is the f32 operation, in the order, that the composed tensor-op update performs, so
;; the results equal it bit for bit (the scalars arrive as f32, as the composed path's constants).
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
)
