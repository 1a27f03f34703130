/* vx-rng.c: counter-based random numbers (see vx-rng.h) */
#define G_LOG_DOMAIN "vx-rng"
#include "config.h"

#include <math.h>
#include <string.h>
#include "vx-clones.h"
#include "vx-rng.h"

static inline uint64_t
mix64 (uint64_t z)
{
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t
vx_rng_tag (const char *name)
{
  /* FNV-1a, then mixed */
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const unsigned char *p = (const unsigned char *) name; *p; p++)
    h = (h ^ *p) * 0x100000001b3ULL;
  return mix64 (h);
}

uint64_t
vx_rng_key (uint64_t seed, uint64_t tag, int64_t a, int64_t b, int64_t c)
{
  uint64_t k = mix64 (seed + 0x9e3779b97f4a7c15ULL);
  k = mix64 (k ^ tag);
  k = mix64 (k ^ ((uint64_t) a + 0x632be59bd9b4e019ULL));
  k = mix64 (k ^ ((uint64_t) b + 0x8cb92ba72f3d8dd7ULL));
  k = mix64 (k ^ ((uint64_t) c + 0xd1b54a32d192ed03ULL));
  return k;
}

void
vx_rng_init (VxRng *r, uint64_t key)
{
  r->key = key;
  r->counter = 0;
  r->have_spare = 0;
  r->spare = 0.f;
}

uint64_t
vx_rng_u64 (VxRng *r)
{
  uint64_t c = r->counter++;
  return mix64 (r->key ^ mix64 (c * 0x9e3779b97f4a7c15ULL + 0x2545f4914f6cdd1dULL));
}

float
vx_rng_uniform (VxRng *r)
{
  return (float) (vx_rng_u64 (r) >> 40) * (1.0f / 16777216.0f);
}

uint32_t
vx_rng_below (VxRng *r, uint32_t n)
{
  /* Lemire's multiply-shift; bias is below 2^-32 for our n */
  return (uint32_t) (((vx_rng_u64 (r) >> 32) * (uint64_t) n) >> 32);
}

float
vx_rng_normal (VxRng *r)
{
  if (r->have_spare)
    {
      r->have_spare = 0;
      return r->spare;
    }
  /* Box-Muller on two 32-bit uniforms from one draw; u1 in (0, 1] */
  uint64_t x = vx_rng_u64 (r);
  double u1 = ((double) (x >> 32) + 1.0) * (1.0 / 4294967296.0);
  double u2 = (double) (x & 0xffffffffu) * (1.0 / 4294967296.0);
  double rad = sqrt (-2.0 * log (u1));
  double th = 6.283185307179586 * u2;
  r->spare = (float) (rad * sin (th));
  r->have_spare = 1;
  return (float) (rad * cos (th));
}

void
vx_rng_normal_fill (VxRng *r, float *out, size_t n)
{
  for (size_t i = 0; i < n; i++)
    out[i] = vx_rng_normal (r);
}

void
vx_rng_shuffle (VxRng *r, int *items, int n)
{
  for (int i = n - 1; i > 0; i--)
    {
      int j = (int) vx_rng_below (r, (uint32_t) i + 1);
      int t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
}

/* ---- fast bulk normals ---------------------------------------------------------- */

#define BULK_CHUNK 64   /* draws per block; a fixed trip count lets the compiler vectorise */

/* sqrt(x) for x >= 0 without libm, so the block loop vectorises (sqrtf may
 * set errno, which stops GCC): bit-level first guess of 1/sqrt, two Newton
 * steps (relative error < 5e-6), times x. */
static inline float
bulk_sqrtf (float x)
{
  x += 1e-30f;                                   /* x = 0 would give 0 * inf */
  union { float f; int32_t i; } v = { x };
  v.i = 0x5f3759df - (v.i >> 1);
  float y = v.f, hx = 0.5f * x;
  y = y * (1.5f - hx * y * y);
  y = y * (1.5f - hx * y * y);
  return x * y;
}

/* ln(u) for u in (0, 1]: u = m 2^e with m in [2/3, 4/3) (integer arithmetic
 * on the bits, no branch), then ln m = 2 atanh(t), t = (m - 1) / (m + 1),
 * |t| <= 0.2, odd series to t^7 (error < 2e-7). */
static inline float
bulk_logf (float u)
{
  union { float f; int32_t i; } v = { u };
  int32_t e = (v.i - 0x3f2aaaab) & (int32_t) 0xff800000;
  v.i -= e;
  float m = v.f;
  float ef = (float) (e >> 23);
  float t = (m - 1.0f) / (m + 1.0f);
  float t2 = t * t;
  float p = 2.0f + t2 * (0.666666667f + t2 * (0.4f + t2 * 0.285714286f));
  return ef * 0.693147181f + t * p;
}

/* Copies of the block for wider vectors, chosen at run time where the CPU has
 * them: AVX2 (8 floats a vector instead of SSE2's 4) and, with GCC, AVX-512
 * (16). None uses FMA: AVX2 has none, and GCC would contract a * b + c into
 * one in the AVX-512 copy, so fp-contract is off around the block (clang does
 * not get that copy). Every copy then does the same IEEE operations in the
 * same order and gives the same numbers, whatever the machine. */
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__) \
    && VX_CLONES_ALLOWED
#define BULK_CLONES __attribute__ ((target_clones ("avx512f", "avx2", "default")))
#define BULK_NO_CONTRACT 1
#elif defined(__x86_64__) && defined(__linux__) && defined(__clang__) && __clang_major__ >= 14 \
    && VX_CLONES_ALLOWED
#define BULK_CLONES __attribute__ ((target_clones ("avx2", "default")))
#else
#define BULK_CLONES
#endif

/* The draws are integer arithmetic only: AVX-512 copies (64-bit multiplies in
 * vectors: emulated with AVX512F, native with AVX512DQ in x86-64-v4) give the
 * same numbers as the scalar code, two and three times as fast. */
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__) \
    && VX_CLONES_ALLOWED
#define DRAW_CLONES \
  __attribute__ ((target_clones ("arch=x86-64-v4", "avx512f", "avx2", "default")))
#elif defined(__x86_64__) && defined(__linux__) && defined(__clang__) && __clang_major__ >= 14 \
    && VX_CLONES_ALLOWED
#define DRAW_CLONES __attribute__ ((target_clones ("avx512f", "avx2", "default")))
#else
#define DRAW_CLONES
#endif

/* BULK_CHUNK draws of SplitMix64 from the state key + counter * golden: one mix
 * per draw (half the cost of vx_rng_u64's two; stream keys are already mixed) */
DRAW_CLONES static void
bulk_draws (uint64_t *draws, uint64_t key, uint64_t c0)
{
  for (int i = 0; i < BULK_CHUNK; i++)
    draws[i] = mix64 (key + (c0 + (uint64_t) i + 1) * 0x9e3779b97f4a7c15ULL);
}

#ifdef BULK_NO_CONTRACT
#pragma GCC push_options
#pragma GCC optimize ("fp-contract=off")
#endif

/* 2 * BULK_CHUNK normals from BULK_CHUNK draws */
BULK_CLONES static void
bulk_block (float *out, const uint64_t *draws)
{
  int32_t hi[BULK_CHUNK], lo[BULK_CHUNK];
  for (int i = 0; i < BULK_CHUNK; i++)
    {
      hi[i] = (int32_t) (draws[i] >> 33);             /* 31 bits */
      lo[i] = (int32_t) (draws[i] & 0xffffff);        /* 24 bits */
    }
  for (int i = 0; i < BULK_CHUNK; i++)
    {
      float u1 = ((float) hi[i] + 1.0f) * 4.656612873e-10f;       /* (0, 1] */
      float w = (float) lo[i] * 5.960464478e-08f - 0.5f;           /* [-1/2, 1/2) */
      float rad = bulk_sqrtf (-2.0f * bulk_logf (u1));
      /* half angle a = pi w in [-pi/2, pi/2): sin and cos by Taylor series to
       * a^9 and a^10 (errors < 4e-6, 5e-7), then the double-angle formulas give
       * the full turn 2 pi w */
      float a = 3.14159265f * w, a2 = a * a;
      float s = a * (1.0f + a2 * (-1.66666667e-1f + a2 * (8.33333333e-3f + a2 * (-1.98412698e-4f
                     + a2 * 2.75573192e-6f))));
      float c = 1.0f + a2 * (-0.5f + a2 * (4.16666667e-2f + a2 * (-1.38888889e-3f
                     + a2 * (2.48015873e-5f + a2 * -2.75573192e-7f))));
      out[2 * i] = rad * (2.0f * s * c);
      out[2 * i + 1] = rad * (c * c - s * s);
    }
}

#ifdef BULK_NO_CONTRACT
#pragma GCC pop_options
#endif

void
vx_rng_normal_bulk (VxRng *r, float *out, size_t n)
{
  uint64_t draws[BULK_CHUNK];
  float block[2 * BULK_CHUNK];

  r->have_spare = 0;
  for (size_t done = 0; done < n; )
    {
      bulk_draws (draws, r->key, r->counter);
      r->counter += BULK_CHUNK;
      size_t take = n - done;
      if (take >= 2 * BULK_CHUNK)
        {
          bulk_block (out + done, draws);
          take = 2 * BULK_CHUNK;
        }
      else
        {
          bulk_block (block, draws);
          memcpy (out + done, block, sizeof (float) * take);
        }
      done += take;
    }
}
