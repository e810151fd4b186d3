/**
 * The honest evaluation protocol of prompt search: every choice a search makes (accepting a step, the best step, the
 * number of label words, the mapper, ensemble members) is made on a {@link io.github.prompt4j.search.protocol.SelectionSplit}
 * carved from the training data, never on the data that is reported; the reported data is a
 * {@link io.github.prompt4j.search.protocol.HeldOut}, which no search accepts and which is scored once, at the end;
 * a {@link io.github.prompt4j.search.protocol.Protocol} records which examples searched, selected and reported.
 */
package io.github.prompt4j.search.protocol;
