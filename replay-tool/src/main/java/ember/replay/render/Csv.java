package ember.replay.render;

/** RFC 4180 fields: quoted when they hold a comma, a quote or a line break. */
public final class Csv
{
    private Csv()
    {
    }

    /** @return the field, quoted when needed; null prints as an empty field. */
    public static String field(final Object value)
    {
        if (value == null)
        {
            return "";
        }
        final String text = value.toString();
        if (text.indexOf(',') < 0 && text.indexOf('"') < 0 && text.indexOf('\n') < 0 && text.indexOf('\r') < 0)
        {
            return text;
        }
        return '"' + text.replace("\"", "\"\"") + '"';
    }

    /** @return the fields joined into one CSV line (no line break). */
    public static String line(final Object... fields)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < fields.length; i++)
        {
            if (i > 0)
            {
                sb.append(',');
            }
            sb.append(field(fields[i]));
        }
        return sb.toString();
    }
}
