package ember.replay.render;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** RFC 4180 quoting. */
class CsvTest
{
    @Test
    void quotesOnlyWhenNeeded()
    {
        assertEquals("1,root,,\"[2,15]\",\"say \"\"hi\"\"\",\"a\nb\"", Csv.line(1L, "root", null, "[2,15]", "say \"hi\"", "a\nb"));
    }
}
