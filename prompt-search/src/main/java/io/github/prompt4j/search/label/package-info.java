/**
 * Label-word search (AutoPrompt's, Shin et al. 2020): {@link io.github.prompt4j.search.label.LabelWordSearch} fits a
 * logistic regression on the masked LM head's state and ranks vocabulary words per class;
 * {@link io.github.prompt4j.search.label.LabelStage} extends a found prompt's words by the best of them, the count
 * chosen on a selection split, as the command line does.
 */
package io.github.prompt4j.search.label;
