/* vx-rng.h: seeded, counter-based random numbers
 *
 * Every random draw in libvitx is a pure function of (seed, stream, counter):
 * a stream is named by what it is for (e.g. vx_rng_stream(seed, "kv-write",
 * image, block, head)), so results do not depend on batching or on how many
 * threads run. The generator is SplitMix64-style mixing of the 128-bit key,
 * which passes BigCrush for this use (independent hashed counters).
 */
#pragma once

#include <stdint.h>
#include <stddef.h>

typedef struct {
  uint64_t key;      /* seed and stream, mixed */
  uint64_t counter;  /* next draw */
  int have_spare;
  float spare;
} VxRng;

/* a stream key from a seed and up to four integers (pass -1 for unused) */
uint64_t vx_rng_key       (uint64_t seed, uint64_t tag, int64_t a, int64_t b, int64_t c);
/* a tag from a short name, e.g. vx_rng_tag("kv-write") */
uint64_t vx_rng_tag       (const char *name);
void     vx_rng_init      (VxRng *r, uint64_t key);
uint64_t vx_rng_u64       (VxRng *r);
/* uniform in [0, 1) with 24 random bits */
float    vx_rng_uniform   (VxRng *r);
/* uniform integer in [0, n) */
uint32_t vx_rng_below     (VxRng *r, uint32_t n);
/* standard normal */
float    vx_rng_normal    (VxRng *r);
/* fill out[0..n) with standard normals */
void     vx_rng_normal_fill (VxRng *r, float *out, size_t n);
/* Fisher-Yates shuffle of an int array */
void     vx_rng_shuffle   (VxRng *r, int *items, int n);

/* Fill out[0..n) with standard normals, fast: Box-Muller in float with
 * polynomial log/sin/cos (relative error < 1e-5), two normals per 64-bit draw
 * (31-bit radius uniform, so |z| <= 6.6). Draw i is SplitMix64's output for the
 * state key + (counter + i + 1) * 0x9e3779b97f4a7c15, so the result is a pure
 * function of (key, counter); draws come in blocks of 64 (128 normals; the
 * counter advances by 64 per block, a partial last block included). Not the
 * same numbers as vx_rng_normal_fill. For the crossbar noise, which needs
 * millions of normals per batch. */
void     vx_rng_normal_bulk (VxRng *r, float *out, size_t n);
