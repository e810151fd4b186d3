package io.github.prompt4j.search.trigger;

import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.model.Tokenizer;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.template.TemplateEncoder;
import io.github.prompt4j.core.template.Truncation;
import io.github.prompt4j.core.template.TruncationSide;
import io.github.prompt4j.search.data.Example;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * A search's inputs turned into what its steps use: the objective resolved against the vocabulary, the training and
 * selection examples encoded with the template, the tokens that may be proposed, and the initial trigger ids. Made
 * when a search runs, not when it is configured.
 *
 * @param objective the resolved objective
 * @param train encoded training examples (the search batches are drawn from them)
 * @param selection encoded selection examples
 * @param allowed per vocabulary id, whether it may be proposed
 * @param initialIds the initial trigger ids, one per slot
 */
record SearchData(Objective objective, List<Instance> train, List<Instance> selection, boolean[] allowed,
        int[] initialIds) {

    /**
     * Resolves and encodes.
     *
     * @throws IllegalArgumentException naming the problem: a label word or object absent from the vocabulary or not
     *         a single word piece, an example label that is not a class, a class without training examples, an
     *         unknown initial trigger token
     */
    static SearchData encode(MaskedLanguageModel model, Template template, SearchObjective spec,
            TriggerSearchSettings settings, List<Example> trainExamples, List<Example> selectionExamples) {
        Tokenizer tokenizer = model.tokenizer();
        Objective objective = Objective.resolve(spec, settings.loss(), tokenizer);
        TemplateEncoder encoder = template.encoder(tokenizer, Truncation.of(settings.maxLength(), TruncationSide.TAIL));
        List<Instance> train = encode(encoder, objective, tokenizer, template, trainExamples, "training");
        List<Instance> selection = encode(encoder, objective, tokenizer, template, selectionExamples, "selection");
        java.util.Set<Integer> labelIds = new java.util.HashSet<>();
        for (int id : objective.labelIds()) {
            labelIds.add(id);
        }
        boolean[] allowed = settings.filter().allowed(tokenizer, labelIds);
        objective.prepare(train, allowed, settings.excludeGoldObjects());
        List<String> init = settings.initialTriggers();
        int[] initialIds = new int[init.size()];
        for (int i = 0; i < initialIds.length; i++) {
            OptionalInt id = tokenizer.tokenToId(init.get(i));
            if (id.isEmpty()) {
                throw new IllegalArgumentException("initial trigger '" + init.get(i) + "' is not a vocabulary "
                        + "token; use e.g. '[MASK]' or 'the'");
            }
            initialIds[i] = id.getAsInt();
        }
        return new SearchData(objective, List.copyOf(train), List.copyOf(selection), allowed, initialIds);
    }

    private static List<Instance> encode(TemplateEncoder encoder, Objective objective, Tokenizer tokenizer,
            Template template, List<Example> examples, String set) {
        List<Instance> out = new ArrayList<>(examples.size());
        for (Example e : examples) {
            out.add(objective.instance(e, encoder.encode(e.valuesFor(template)), tokenizer, set));
        }
        return out;
    }
}
