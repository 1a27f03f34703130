/* vx-fastmath.h: exp and erf in plain arithmetic, so that loops calling them vectorise
 *
 * glibc's expf and erff are scalar calls; these inline versions let GCC turn
 * the elementwise loops of the forward pass (softmax, GELU) into SIMD code.
 * Accuracy: vx_fast_expf within 2 ulp on [-87, 88]; vx_fast_erff within 5e-7
 * absolute (tested in tests/test-model.c against libm).
 *
 * The one fast exp of libvitx: softmax (vx-kernels.c), GELU through
 * vx_fast_erff, and the GELU derivative of the trainer (vx-backward.c, whose
 * arguments are <= 0) all call vx_fast_expf.
 */
#pragma once

#include <stdint.h>
#include <string.h>

#include "vx-clones.h"

/* Kernels worth compiling for AVX2+FMA too: GCC and clang pick the clone at load time
 * (not under TSan: vx-clones.h). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__) \
    && VX_CLONES_ALLOWED
#define VX_SIMD_CLONES __attribute__ ((target_clones ("arch=x86-64-v3", "default")))
#else
#define VX_SIMD_CLONES
#endif

/* exp(x): x = n ln2 + r, |r| <= ln2/2, exp(r) by a degree-6 Taylor polynomial
 * (truncation below 2e-8), times 2^n built in the exponent bits. x is clamped
 * to [-87, 88], so results stay normal and finite. */
static inline float
vx_fast_expf (float x)
{
  const float shifter = 12582912.0f;              /* 1.5 * 2^23: rounds to an integer */
  x = x < -87.0f ? -87.0f : x;
  x = x > 88.0f ? 88.0f : x;
  float t = x * 1.44269504088896341f + shifter;
  float n = t - shifter;
  float r = x - n * 0.693145751953125f;           /* ln2, high bits: exact product */
  r -= n * 1.42860682030941723212e-6f;            /* ln2, low bits */
  float p = 1.0f / 720;
  p = p * r + 1.0f / 120;
  p = p * r + 1.0f / 24;
  p = p * r + 1.0f / 6;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  /* unsigned, so a NaN x (whose t holds no integer; e.g. softmax scores of a
   * model whose huge weights overflowed) gives garbage rather than undefined
   * behaviour (signed overflow, found by the fuzzer under UBSan); for every
   * other x the bits are those of the signed computation */
  uint32_t ti, pi;
  memcpy (&ti, &t, sizeof ti);
  uint32_t n_bits = (ti - 0x4B400000u) << 23;    /* the integer n, from the low bits, times 2^23 */
  memcpy (&pi, &p, sizeof pi);
  pi += n_bits;                                   /* p * 2^n: add n to the exponent */
  memcpy (&p, &pi, sizeof p);
  return p;
}

/* erf(x), Abramowitz & Stegun 7.1.26 (|error| <= 1.5e-7 in exact arithmetic) */
static inline float
vx_fast_erff (float x)
{
  float ax = x < 0 ? -x : x;
  float t = 1.0f / (1.0f + 0.3275911f * ax);
  float poly = t * (0.254829592f + t * (-0.284496736f + t * (1.421413741f
               + t * (-1.453152027f + t * 1.061405429f))));
  float y = 1.0f - poly * vx_fast_expf (-ax * ax);
  return x < 0 ? -y : y;
}
