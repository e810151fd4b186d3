package io.github.prompt4j.benchmarks.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.template.Template;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetReaderTest {

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, content, StandardCharsets.UTF_8);
        return f;
    }

    @Test
    void glueTsvNamesTheFieldsAfterTheHeader() throws IOException {
        Path f = write("dev.tsv", "sentence\tlabel\nit 's a charming journey . \t1\nunflinchingly bleak\t0\n");
        Dataset d = DatasetReader.read(f);
        assertEquals(DatasetFormat.HEADER_TSV, d.format());
        assertEquals(List.of(new Example(Map.of("sentence", "it 's a charming journey . "), "1"),
                new Example(Map.of("sentence", "unflinchingly bleak"), "0")), d.examples());
        assertEquals(List.of("1", "0"), d.labels());
    }

    @Test
    void chnSentiCorpTsvHasTheLabelFirst() throws IOException {
        Path f = write("dev.tsv", "label\ttext_a\n0\t房间太小了\n1\t服务很好\n1\t早餐不错\n");
        Dataset d = DatasetReader.read(f);
        assertEquals(DatasetFormat.HEADER_TSV, d.format());
        assertEquals(3, d.examples().size());
        assertEquals(new Example(Map.of("text_a", "房间太小了"), "0"), d.examples().get(0));
        assertEquals(Map.of("text", "服务很好"), d.examples().get(1).valuesFor(Template.parse("{text}感觉很[MASK]。")));
    }

    @Test
    void normTsvHasNoHeaderAndTheLabelLast() throws IOException {
        Path f = write("dev.norm.tsv", "a gripping film\t1\nlabel\t0\n");
        Dataset d = DatasetReader.read(f);
        assertEquals(DatasetFormat.NORM_TSV, d.format());
        // The second row's text is the word "label": a .norm.tsv file never has a header.
        assertEquals(List.of(new Example(Map.of("text", "a gripping film"), "1"),
                new Example(Map.of("text", "label"), "0")), d.examples());
    }

    @Test
    void normTsvWithTwoTextColumnsNamesThemTextAAndTextB() throws IOException {
        Path f = write("pairs.norm.tsv", "A man plays .\tA person plays .\tENTAILMENT\n");
        Example e = DatasetReader.read(f).examples().get(0);
        assertEquals(Map.of("text_a", "A man plays .", "text_b", "A person plays ."), e.fields());
        assertEquals("ENTAILMENT", e.label());
        assertEquals(Map.of("text_a", "A man plays .", "text_b", "A person plays ."),
                e.valuesFor(Template.parse("{text_a} ? [MASK] , {text_b}")));
    }

    @Test
    void sha256IsOfTheFileBytes() throws IOException {
        // SHA-256("abc") from FIPS 180-2, appendix B.1.
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                DatasetReader.sha256("abc".getBytes(StandardCharsets.US_ASCII)));
        byte[] bytes = "sentence\tlabel\nfine\t1\n".getBytes(StandardCharsets.UTF_8);
        Path f = dir.resolve("x.tsv");
        Files.write(f, bytes);
        assertEquals(DatasetReader.sha256(bytes), DatasetReader.read(f).sha256());
    }

    @Test
    void blankLinesAndAByteOrderMarkAreSkipped() throws IOException {
        Path f = write("bom.tsv", "\uFEFFsentence\tlabel\n\nfine\t1\n\n");
        Dataset d = DatasetReader.read(f);
        assertEquals(List.of(new Example(Map.of("sentence", "fine"), "1")), d.examples());
    }

    @Test
    void limitTakesTheFirstRows() throws IOException {
        Path f = write("d.tsv", "sentence\tlabel\na\t1\nb\t0\nc\t1\n");
        Dataset d = DatasetReader.read(f);
        assertEquals(List.of("a", "b"), d.first(2).stream().map(e -> e.fields().get("sentence")).toList());
        assertEquals(3, d.first(100).size());
    }

    @Test
    void aFileWithoutLabelHeaderOrNormNameIsRefusedWithTheFormatsItKnows() throws IOException {
        Path f = write("stsa.binary.dev", "1 a gripping film\n0 a dull film\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DatasetReader.read(f));
        assertTrue(e.getMessage().contains("no column named 'label'"), e.getMessage());
        assertTrue(e.getMessage().contains(".norm.tsv"), e.getMessage());
    }

    @Test
    void aRowWithTheWrongColumnCountNamesItsLine() throws IOException {
        Path f = write("bad.tsv", "sentence\tlabel\nfine\t1\nno label here\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DatasetReader.read(f));
        assertTrue(e.getMessage().contains("line 3 has 1 tab-separated columns, expected 2"), e.getMessage());
    }

    @Test
    void aMissingFileNamesItsPath() {
        Path f = dir.resolve("absent.tsv");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> DatasetReader.read(f));
        assertTrue(e.getMessage().contains("absent.tsv") && e.getMessage().contains("does not exist"),
                e.getMessage());
    }

    @Test
    void aTemplateFieldThatMatchesNoColumnIsExplained() {
        Example e = new Example(Map.of("sentence_a", "x", "sentence_b", "y"), "1");
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> e.valuesFor(Template.parse("{premise} ? [MASK] , {hypothesis}")));
        assertTrue(ex.getMessage().contains("[premise, hypothesis]") && ex.getMessage().contains("sentence_a"),
                ex.getMessage());
    }
}
