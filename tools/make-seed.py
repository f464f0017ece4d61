#!/usr/bin/env python3
"""Regenerates src/main/resources/emulator/seed-tasks.json (deterministic: fixed seed)."""
import json, random, string, datetime as dt
r = random.Random(20261129)
def rid(prefix): return prefix + ''.join(r.choice(string.ascii_letters + string.digits) for _ in range(43))
users = ["user_" + n for n in ["AliceMartinDemo0000000000000000000000000001", "BobSchmidtDemo000000000000000000000000000002",
         "CarlaRossiDemo000000000000000000000000000003", "DavidChenDemo0000000000000000000000000000004",
         "EvaNovakDemo00000000000000000000000000000005"]]
types = ["email_followup", "missed_call", "voicemail", "incoming_email", "opportunity_due", "incoming_sms", "answered_detached_call"]
tasks = []
for i in range(300):
    lead = i < 240
    created = dt.datetime(2026, 8, 1, 9, 0, tzinfo=dt.timezone.utc) + dt.timedelta(minutes=137 * i)
    day = dt.date(2026, 9, 1) + dt.timedelta(days=r.randrange(0, 140))
    if r.random() < 0.5:
        date = day.isoformat()
    else:
        date = dt.datetime(day.year, day.month, day.day, r.randrange(7, 19), r.choice([0, 15, 30, 45]), tzinfo=dt.timezone.utc).isoformat()
    tasks.append({
        "id": rid("task_" if lead else "noti_"),
        "_type": "lead" if lead else types[i % len(types)],
        "lead_id": rid("lead_"),
        "lead_name": "Lead %03d" % i,
        "assigned_to": users[i % len(users)],
        "text": ("Follow up with Lead %03d" % i) if lead else ("%s for Lead %03d" % (types[i % len(types)].replace('_', ' '), i)),
        "date": date,
        "is_complete": r.random() < 0.3,
        "date_created": created.isoformat(timespec="microseconds"),
        "created_by": users[(i + 1) % len(users)],
    })
json.dump({"organization_id": "orga_DemoOrganization000000000000000000000000", "users": users, "tasks": tasks},
          open("src/main/resources/emulator/seed-tasks.json", "w"), indent=1)
