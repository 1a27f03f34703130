/* vx-rng.c: counter-based random numbers (see vx-rng.h) */
#define G_LOG_DOMAIN "vx-rng"
#include "config.h"

#include <math.h>
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
