package io.github.prompt4j.search.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.template.Template;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {

    @TempDir
    Path dir;

    private static Path shared() {
        String root = System.getProperty("prompt4j.shared");
        if (root == null || !Files.isDirectory(Path.of(root, "data"))) {
            throw new IllegalStateException("system property prompt4j.shared must name the shared folder with data/ "
                    + "(the parent pom sets it); got " + root);
        }
        return Path.of(root, "data");
    }

    @Test
    void aFileThatIsNotUtf8IsRefusedNamingTheFile() throws IOException {
        Path file = Files.write(dir.resolve("latin1.norm.tsv"), new byte[] {'c', 'a', 'f', (byte) 0xe9, '\t', '1'});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Datasets.sst2Norm(file));
        assertTrue(e.getMessage().contains("latin1.norm.tsv") && e.getMessage().contains("not UTF-8"),
                e.getMessage());
    }

    @Test
    void aBadRelationNamesFileAndLine() throws IOException {
        Path file = Files.writeString(dir.resolve("relations.jsonl"),
                "{\"relation\":\"P19\",\"template\":\"[X] was born in [Y] .\"}\n"
                        + "{\"relation\":\"P20\",\"template\":\"[X] died\"}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Datasets.lamaRelations(file));
        assertTrue(e.getMessage().startsWith(file + ":2: "), e.getMessage());
    }

    @Test
    void readsGlueTsvWithHeaderAndNormTsvWithout() throws IOException {
        Path glue = Files.writeString(dir.resolve("dev.tsv"), "sentence\tlabel\nit 's charming . \t1\nbleak \t0\n");
        List<Example> g = Datasets.sst2Glue(glue);
        assertEquals(List.of(Example.of("sentence", "it 's charming .", "positive"),
                Example.of("sentence", "bleak", "negative")), g);
        Path norm = Files.writeString(dir.resolve("dev.norm.tsv"), "it 's charming .\t1\nbleak\t0\n");
        assertEquals(g, Datasets.sst2Norm(norm));
        assertThrows(IllegalArgumentException.class, () -> Datasets.sst2Glue(norm));
        Path bad = Files.writeString(dir.resolve("bad.tsv"), "great\t2\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Datasets.sst2Norm(bad));
        assertTrue(e.getMessage().contains("bad.tsv:1"), e.getMessage());
        assertThrows(UncheckedIOException.class, () -> Datasets.sst2Norm(dir.resolve("missing.tsv")));
    }

    @Test
    void readsLamaFactsAndRelationsAndConvertsTemplates() throws IOException {
        Path facts = Files.writeString(dir.resolve("dev.jsonl"),
                "{\"sub_uri\": \"Q1\", \"sub_label\": \"Papoose\", \"obj_label\": \"Brooklyn\"}\n");
        assertEquals(List.of(Example.of("sub", "Papoose", "Brooklyn")), Datasets.lamaFacts(facts));
        Path rel = Files.writeString(dir.resolve("rel.jsonl"),
                "{\"relation\": \"P19\", \"template\": \"[X] was born in [Y] .\", \"label\": \"place of birth\"}\n");
        LamaRelation r = Datasets.lamaRelations(rel).get(0);
        assertEquals("P19", r.id());
        assertEquals("{sub} was born in [MASK] .", r.manualTemplate().text());
        assertEquals(List.of("sub"), r.manualTemplate().fields());
        assertEquals("{sub} [T] [T] [T] [MASK] .", LamaRelation.autoPromptTemplate(3).text());
        Path broken = Files.writeString(dir.resolve("broken.jsonl"), "{\"sub_label\": \"x\"}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Datasets.lamaFacts(broken));
        assertTrue(e.getMessage().contains("obj_label"), e.getMessage());
    }

    @Test
    void readsTheSharedDatasets() {
        Path data = shared();
        List<Example> dev = Datasets.sst2Glue(data.resolve("sst2/glue/dev.tsv"));
        assertEquals(872, dev.size());
        assertEquals(dev, Datasets.sst2Norm(data.resolve("sst2/glue/dev.norm.tsv")));
        assertEquals(Example.of("sentence", "it 's a charming and often affecting journey .", "positive"),
                dev.get(0));
        List<LamaRelation> relations = Datasets.lamaRelations(data.resolve("lama/relations/LAMA_relations.jsonl"));
        assertEquals(46, relations.size());
        assertEquals("{sub} was born in [MASK] .", relations.stream().filter(r -> r.id().equals("P19")).findFirst()
                .orElseThrow().manualTemplate().text());
        List<Example> p19 = Datasets.lamaFacts(data.resolve("lama/trex/P19/dev.jsonl"));
        assertEquals(Example.of("sub", "Papoose", "Brooklyn"), p19.get(0));
        assertEquals(21018, Datasets.vocabulary(data.resolve("lama/vocab/common_vocab_cased.txt")).size());
    }

    @Test
    void singleFieldExamplesFitAnySingleFieldTemplate() {
        Example e = Example.of("sentence", "good", "positive");
        assertEquals(Map.of("text", "good"), e.valuesFor(Template.parse("{text} [MASK] .")));
        assertEquals(Map.of("sentence", "good"), e.valuesFor(Template.parse("{sentence} [MASK] .")));
        assertThrows(IllegalArgumentException.class, () -> e.valuesFor(Template.parse("{a} [MASK] {b}")));
        assertThrows(IllegalArgumentException.class, () -> Example.of("sentence", " ", "positive"));
    }
}
