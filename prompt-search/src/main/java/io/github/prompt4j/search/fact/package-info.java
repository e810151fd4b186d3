/**
 * Fact retrieval (LAMA, Petroni et al. 2019): ranking metrics, the training/selection/reported split of a relation's
 * facts ({@link io.github.prompt4j.search.fact.FactSplit}), prompts for a relation written in LAMA syntax
 * ({@link io.github.prompt4j.search.fact.FactPrompt}, read from JSON lines by
 * {@link io.github.prompt4j.search.fact.FactPrompts}), the warm start of a search from a manual template
 * ({@link io.github.prompt4j.search.fact.WarmStart}), and their evaluation ({@link io.github.prompt4j.search.fact.FactRetrieval}).
 */
package io.github.prompt4j.search.fact;
