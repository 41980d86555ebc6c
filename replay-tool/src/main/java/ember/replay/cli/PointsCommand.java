package ember.replay.cli;

import picocli.CommandLine.Mixin;

/**
 * What every command that takes points ({@code --at}, {@code --from}, {@code --to}, {@code diff A B})
 * has beyond {@link DirCommand}: the {@code --zone ZONE} they are read in and the one "now" they
 * count back from ({@link ZoneOption}). Used by the command's thread only.
 */
abstract class PointsCommand extends DirCommand
{
    @Mixin
    ZoneOption zone;
}
