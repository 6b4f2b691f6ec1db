"""What the review site needs of the group checks (`detectors.groups`) without loading
them: their name as a flag's detector and a decision's author, and the flags of theirs
that no count takes in. `detectors.groups` loads the chat model's libraries (scikit-learn,
numba, through `classifiers.classify`): imported by the site, every `serve` would hold
them, some 200 MB, from its start."""
from __future__ import annotations

DETECTOR = "rules@groups"
# Weeks were once cut at New Year (2025-W00 from 1 January). Such a part week's flag, once
# the check has closed it (`detectors.groups.NEW_YEAR_NOTE`), stands for no week: its days
# are in the whole week's flag. The reports, the dashboard and the canned queries that
# count flags count it nowhere, neither as a breach nor as a false alarm, which would be a
# supervisor's verdict. SQL on a flag `f` and its state `s` (flag_state); never NULL.
PART_WEEK_CLOSED = ("(f.category = 'group_chatter_share' and f.subject like '%-W00' and s.status is 'resolved' "
                    f"and s.actor_id is '{DETECTOR}')")
