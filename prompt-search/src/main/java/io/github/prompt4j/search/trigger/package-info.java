/**
 * AutoPrompt trigger search (Shin et al. 2020): {@link io.github.prompt4j.search.trigger.TriggerSearch} configures a
 * search (its builder validates and produces {@link io.github.prompt4j.search.trigger.TriggerSearchSettings}); what
 * it optimises is a sealed {@link io.github.prompt4j.search.trigger.SearchObjective} (classification or fact
 * retrieval); running it encodes the data and steps through the search, choosing on a selection split of the training
 * data; the outcome is a {@link io.github.prompt4j.search.trigger.TriggerSearchResult}, resumable from its
 * {@link io.github.prompt4j.search.trigger.TriggerSearchState}.
 */
package io.github.prompt4j.search.trigger;
