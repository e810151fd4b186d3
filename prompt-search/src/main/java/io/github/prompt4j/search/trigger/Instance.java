package io.github.prompt4j.search.trigger;

import io.github.prompt4j.core.model.EncodedPrompt;

/**
 * One encoded example: its prompt with unbound trigger slots, the gold token ids and the gold class.
 *
 * @param prompt the prompt, trigger slots holding the mask id
 * @param triggerPositions the prompt's trigger positions (cached: the prompt copies them on every read)
 * @param gold vocabulary ids whose total probability is the gold event (class label words, or the object)
 * @param goldClass class index for classification, -1 for fact retrieval
 */
record Instance(EncodedPrompt prompt, int[] triggerPositions, int[] gold, int goldClass) {

    /** The prompt with its trigger slots set to {@code triggers}. */
    EncodedPrompt with(int[] triggers) {
        return prompt.withIds(triggerPositions, triggers);
    }
}
