/**
 * Prompt generation with the masked language model itself (after LM-BFF's template generation, Gao et al. 2021, with
 * iterative mask filling in place of T5): spans of masks around the input and each class's label word are decoded by
 * beam search over the summed log-probabilities of training examples, and the generated templates are ranked on a
 * selection split with {@link io.github.prompt4j.search.select.PromptScorer}.
 */
package io.github.prompt4j.search.generate;
