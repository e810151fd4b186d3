package io.github.prompt4j.search.generate;

import io.github.prompt4j.core.template.Template;
import java.util.List;

/**
 * One decoded template.
 *
 * @param shape where its tokens sit
 * @param template the template text with the generated tokens, e.g. {@code {sentence} A [MASK] one .}
 * @param skeleton the same with {@code [T]} at the generated positions, an AutoPrompt warm start with
 *        {@link #tokens()} as its {@code --init}
 * @param tokens the generated tokens, vocabulary spellings, in order
 * @param tokenIds their ids
 * @param logProbability the beam score: the sum over generation examples and decoding steps of the chosen token's
 *        log-probability (each step reads the next slot with the earlier slots filled)
 */
public record GeneratedTemplate(TemplateShape shape, String template, String skeleton, List<String> tokens,
        int[] tokenIds, double logProbability) {

    public GeneratedTemplate {
        tokens = List.copyOf(tokens);
        tokenIds = tokenIds.clone();
        if (tokens.size() != shape.slots() || tokenIds.length != shape.slots()) {
            throw new IllegalArgumentException("shape " + shape + " has " + shape.slots() + " slots, got tokens "
                    + tokens);
        }
    }

    /** The parsed template. */
    public Template parsed() {
        return Template.parse(template);
    }

    @Override
    public int[] tokenIds() {
        return tokenIds.clone();
    }
}
