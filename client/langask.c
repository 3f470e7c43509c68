/* The language question a new home asks a person at a terminal. */
#include "langask.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"

/* The longest answer read; a longer line is not an answer. */
#define ANSWER_MAX 64

const char *gt_langask_answer(const char *line)
{
	static const char *const id_words[] = {"",          "1",      "id",
	                                       "indonesia", "bahasa", "bahasa indonesia"};
	static const char *const en_words[] = {"2", "en", "english", "inggris"};
	char w[ANSWER_MAX];
	size_t n;

	while (isspace((unsigned char)*line))
		line++;
	n = strlen(line);
	while (n > 0 && isspace((unsigned char)line[n - 1]))
		n--;
	if (n >= sizeof(w))
		return NULL;
	memcpy(w, line, n);
	w[n] = '\0';
	for (size_t i = 0; i < sizeof(id_words) / sizeof(id_words[0]); i++)
		if (strcasecmp(w, id_words[i]) == 0)
			return GT_LANG_ID;
	for (size_t i = 0; i < sizeof(en_words) / sizeof(en_words[0]); i++)
		if (strcasecmp(w, en_words[i]) == 0)
			return GT_LANG_EN;
	return NULL;
}

const char *gt_langask(FILE *in, FILE *out)
{
	char line[ANSWER_MAX + 2];

	/* Both languages: the person has not chosen one yet, so this text is not translated. */
	fputs("Bahasa pesan dan formulir gtsync / Language of gtsync's messages and forms:\n"
	      "  1  Bahasa Indonesia (bawaan / default)\n"
	      "  2  English\n",
	      out);
	for (int i = 0; i < GT_LANGASK_TRIES; i++) {
		const char *lang;

		fputs("Pilih / Choose [1]: ", out);
		fflush(out);
		if (fgets(line, sizeof(line), in) == NULL)
			break;
		if (strchr(line, '\n') == NULL && !feof(in)) {
			int c;
			/* A line longer than any answer: drop the rest of it. */
			while ((c = fgetc(in)) != EOF && c != '\n')
				;
			continue;
		}
		if ((lang = gt_langask_answer(line)) != NULL)
			return lang;
		fputs("Jawab 1 atau 2 / Answer 1 or 2.\n", out);
	}
	fputc('\n', out);
	return GT_LANG_DEFAULT;
}
