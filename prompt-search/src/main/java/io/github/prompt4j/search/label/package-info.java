/**
 * Label-word search (AutoPrompt's, Shin et al. 2020) and learned verbalizers:
 * {@link io.github.prompt4j.search.label.LabelWordSearch} fits a logistic regression on the masked LM head's state and
 * ranks vocabulary words per class; {@link io.github.prompt4j.search.label.LabelStage} extends a found prompt's words by
 * the best of them, the count chosen on a selection split, as the command line does;
 * {@link io.github.prompt4j.search.label.VerbalizerTrainer} fits that regression as the classifier, and
 * {@link io.github.prompt4j.search.label.LearnedHeadStage} puts it in place of a trigger-search result's label words
 * (on the best state, or the best of its shortlisted states) when the selection split prefers it.
 */
package io.github.prompt4j.search.label;
