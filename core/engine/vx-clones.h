/* vx-clones.h: may this build give hot loops target_clones copies?
 *
 * Not under ThreadSanitizer: a clone set is chosen by an ifunc resolver, which
 * TSan instruments and which the dynamic loader runs before the TSan runtime
 * is set up, so the program dies at start-up (GCC and clang alike). GCC says
 * so with __SANITIZE_THREAD__, clang with __has_feature(thread_sanitizer).
 */
#pragma once

#if defined(__SANITIZE_THREAD__)
#define VX_CLONES_ALLOWED 0
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define VX_CLONES_ALLOWED 0
#endif
#endif
#ifndef VX_CLONES_ALLOWED
#define VX_CLONES_ALLOWED 1
#endif
