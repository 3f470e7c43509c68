/* UTF-8 decoding, one sequence at a time, as the checkers and escapers need it. */
#ifndef GT_UTF8_H
#define GT_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes the sequence at s (NUL-terminated): returns its length in bytes (1 to 4) and its code
 * point in *cp, or 0 when s does not start a valid sequence (a stray continuation byte, an
 * overlong form, a surrogate, a code point past U+10FFFF, a sequence cut by the NUL). s[0] == 0
 * decodes as U+0000 of length 1. */
size_t gt_utf8_decode(const unsigned char *s, uint32_t *cp);

#endif
