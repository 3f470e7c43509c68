/* Text from outside (server messages, reasons, comments, names, values) made safe for a
 * terminal: one escaping function for every line gtsync prints. */
#ifndef GT_TERMTEXT_H
#define GT_TERMTEXT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/*
 * A terminal acts on control characters: ESC starts sequences that move the cursor, rewrite
 * lines, change the window title or (on some terminals) answer back; CR overwrites a line;
 * C1 controls (U+0080..U+009F, and the raw bytes 0x80..0x9F some terminals take as C1) do the
 * same in one character; bidirectional overrides (U+202A..U+202E, U+2066..U+2069) make text
 * read in another order than it is stored. A reason typed at another office, a value in a CSV
 * file or a message from a server must never do any of that on this terminal, nor forge a line
 * of gtsync's own output.
 *
 * gt_termtext_escape() writes such text visibly instead: "\n", "\r", "\t", "\xHH" for the
 * other C0 controls, DEL and each byte that is not valid UTF-8, "\uHHHH" for C1 controls and
 * bidirectional overrides. Everything else, valid UTF-8 included (Bahasa Indonesia, accents,
 * other scripts, emoji), is copied unchanged.
 */

/* Flags of the escaping. */
#define GT_TERMTEXT_QUOTE 0x1u /* also '"' as \" and '\\' as \\ (inside a quoted field) */
#define GT_TERMTEXT_FOLD  0x2u /* newline, CR and tab as one space each (a one-line preview) */

/* Escapes src (NULL: "") into dst[0..len), like snprintf: returns the length the whole escaped
 * text needs (without the NUL); dst, when len > 0, is NUL-terminated and cut only between whole
 * escapes and whole characters. */
size_t gt_termtext_escape(char *dst, size_t len, const char *src, unsigned flags);

/* Writes src (NULL: "") escaped to out. */
void gt_termtext_put(FILE *out, const char *src, unsigned flags);

/* Writes one line for a person to out (NULL: nowhere): what printf makes of fmt and its
 * arguments, escaped as a whole, then a newline, then flushes. The format is gtsync's own text
 * and holds no control character: a message that needs several lines is written as several
 * lines. */
void gt_termtext_line(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* As gt_termtext_line() with a va_list. */
void gt_termtext_vline(FILE *out, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Most strings one struct gt_termtext holds at a time. */
#define GT_TERMTEXT_SLOTS 16

/* Escaped copies for the arguments of one printf: gt_termtext_str() returns src escaped, valid
 * until gt_termtext_clear(). Start with {0}. */
struct gt_termtext {
	char *s[GT_TERMTEXT_SLOTS];
	size_t n;
};

/* src (NULL: "") escaped, kept in t (borrowed until gt_termtext_clear()). When t is full or
 * memory runs out, returns "(?)": the text is then not shown, never shown raw. */
const char *gt_termtext_str(struct gt_termtext *t, const char *src);

/* Frees the strings of t and empties it; accepts NULL. */
void gt_termtext_clear(struct gt_termtext *t);

#endif
