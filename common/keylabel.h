/* A key's label: the office and person a key stands for, as people read it in lists and reports. */
#ifndef GT_KEYLABEL_H
#define GT_KEYLABEL_H

/* The longest label in bytes, with its NUL ("Sekretariat GT Kota Kupang — operator 1" is 42). */
#define GT_KEYLABEL_MAX 128

/* Checks that text is a usable label: valid UTF-8 of fewer than GT_KEYLABEL_MAX bytes with no
 * control characters (the empty label is allowed: no label). Returns 0, or GT_EINVAL with *why
 * set to a static sentence. Borrowed: text. */
int gt_keylabel_check(const char *text, const char **why);

#endif
