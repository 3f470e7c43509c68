/* The language question a new home asks a person at a terminal (issue 12). */
#ifndef GT_LANGASK_H
#define GT_LANGASK_H

#include <stdio.h>

/* Most times the question is asked again after an answer it does not understand. */
#define GT_LANGASK_TRIES 3

/* Asks on out, in both languages (the person has not chosen yet), which language the home
 * speaks, and reads the answer from in: an empty line, "1", "id", "indonesia" or "bahasa"
 * choose Bahasa Indonesia, the default; "2", "en", "english" or "inggris" choose English (any
 * case, spaces around ignored). Another answer asks again, at most GT_LANGASK_TRIES times in
 * all; then, or at the end of input, the default. Returns the chosen language, GT_LANG_ID or
 * GT_LANG_EN (static strings). */
const char *gt_langask(FILE *in, FILE *out);

/* The language an answer chooses (as gt_langask() reads it), or NULL when it chooses none.
 * Static result. */
const char *gt_langask_answer(const char *line);

#endif
