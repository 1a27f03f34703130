/* test-rng.c: the counter-based random number generator */
#include "config.h"

#include <glib.h>
#include <math.h>
#include "vx-rng.h"

static void
test_rng_repeatable (void)
{
  VxRng a, b;
  vx_rng_init (&a, vx_rng_key (7, vx_rng_tag ("x"), 1, 2, 3));
  vx_rng_init (&b, vx_rng_key (7, vx_rng_tag ("x"), 1, 2, 3));
  for (int i = 0; i < 1000; i++)
    g_assert_cmpuint (vx_rng_u64 (&a), ==, vx_rng_u64 (&b));
  /* a different stream differs */
  vx_rng_init (&b, vx_rng_key (7, vx_rng_tag ("x"), 1, 2, 4));
  vx_rng_init (&a, vx_rng_key (7, vx_rng_tag ("x"), 1, 2, 3));
  int same = 0;
  for (int i = 0; i < 1000; i++)
    same += vx_rng_u64 (&a) == vx_rng_u64 (&b);
  g_assert_cmpint (same, ==, 0);
}

static void
test_rng_normal_moments (void)
{
  VxRng r;
  vx_rng_init (&r, vx_rng_key (1, vx_rng_tag ("normal"), 0, 0, 0));
  const int n = 400000;
  double s1 = 0, s2 = 0, s4 = 0;
  for (int i = 0; i < n; i++)
    {
      double z = vx_rng_normal (&r);
      s1 += z;
      s2 += z * z;
      s4 += z * z * z * z;
    }
  double mean = s1 / n, var = s2 / n - mean * mean, kurt = s4 / n;
  g_assert_cmpfloat (fabs (mean), <, 0.01);
  g_assert_cmpfloat (fabs (var - 1.0), <, 0.01);
  g_assert_cmpfloat (fabs (kurt - 3.0), <, 0.05);
}

static void
test_rng_uniform_and_below (void)
{
  VxRng r;
  vx_rng_init (&r, 99);
  int counts[10] = { 0 };
  const int n = 200000;
  for (int i = 0; i < n; i++)
    {
      float u = vx_rng_uniform (&r);
      g_assert_true (u >= 0.f && u < 1.f);
      counts[vx_rng_below (&r, 10)]++;
    }
  for (int k = 0; k < 10; k++)
    g_assert_cmpfloat (fabs (counts[k] - n / 10.0), <, 5 * sqrt (n / 10.0));
}

static void
test_rng_shuffle_is_permutation (void)
{
  int items[257], seen[257] = { 0 };
  for (int i = 0; i < 257; i++)
    items[i] = i;
  VxRng r;
  vx_rng_init (&r, 5);
  vx_rng_shuffle (&r, items, 257);
  int moved = 0;
  for (int i = 0; i < 257; i++)
    {
      seen[items[i]]++;
      moved += items[i] != i;
    }
  for (int i = 0; i < 257; i++)
    g_assert_cmpint (seen[i], ==, 1);
  g_assert_cmpint (moved, >, 200);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/rng/repeatable", test_rng_repeatable);
  g_test_add_func ("/rng/normal-moments", test_rng_normal_moments);
  g_test_add_func ("/rng/uniform-and-below", test_rng_uniform_and_below);
  g_test_add_func ("/rng/shuffle", test_rng_shuffle_is_permutation);
  return g_test_run ();
}
