#!/usr/bin/env python3
"""Regenerates examples/*.csv from the emulator seed, so they work against --demo."""
import json
seed = json.load(open("src/main/resources/emulator/seed-tasks.json"))
tasks = seed["tasks"]
users = [u["id"] if isinstance(u, dict) else u for u in seed["users"]]
emails = {u["id"]: u["email"] for u in seed["users"] if isinstance(u, dict)}
open_lead = [t for t in tasks if not t["is_complete"] and t["_type"] == "lead"]
other = [t for t in tasks if t["_type"] != "lead" and not t["is_complete"]]
def write(name, header, rows):
    with open("examples/" + name, "w", newline="") as f:
        f.write(",".join(header) + "\n")
        for r in rows: f.write(",".join(r) + "\n")
write("complete-tasks.csv", ["id", "is_complete"], [[t["id"], "true"] for t in open_lead[:12] + other[:3]])
alice = [t for t in tasks if t["assigned_to"] == users[0] and not t["is_complete"]]
write("reassign-tasks.csv", ["task_id", "assigned_to"], [[t["id"], users[1]] for t in alice[12:24]])
# a spreadsheet that names the new owner by e-mail (any case): resolved through Close's user list
write("reassign-by-email.csv", ["task_id", "assigned_to"], [[t["id"], emails[users[2]].title()] for t in alice[24:30]])
dates = ["2026-12-15", "2026-12-16T09:30:00+01:00", "2027-01-04"]
write("reschedule-tasks.csv", ["id", "date"], [[t["id"], dates[i % 3]] for i, t in enumerate(open_lead[30:45])])
t = open_lead
write("bad-rows.csv", ["id", "assigned_to", "date", "is_complete"], [
    [t[50]["id"], "", "2026-12-20", ""],                      # good: UPDATED
    [t[51]["id"], "", "", "maybe"],                           # is_complete not a boolean
    [t[52]["id"], "", "03/01/2026", ""],                      # US date
    [t[53]["id"], "", "2026-02-30", ""],                      # no such day
    [t[54]["id"], "bob", "", ""],                             # not a user id
    [t[55]["id"], "", "", ""],                                # changes nothing
    ["", "", "2026-12-20", ""],                               # no id
    ["TASK-42", "", "2026-12-20", ""],                        # not a Close id
    [t[50]["id"], "", "2026-12-21", ""],                      # duplicate of line 2
    ["task_DoesNotExist0000000000000000000000000000", "", "2026-12-20", ""],  # NOT_FOUND
    [t[56]["id"], "nobody@example.com", "", ""],              # an e-mail of no user
])
