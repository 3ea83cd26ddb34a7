"""The maintenance plan (the policy's ``[maintenance]`` table): what is due or overdue now,
and the records kept of what was done (例行维护 / 故障处理 / 版本更新).

    for task in due(plan, read_records("/var/lib/opsbook/records.jsonl")):
        print(task["task"], task["status"], task["due_at"])
"""

from ._opsbook import append_record, read_records
from ._opsbook import maintenance_due as due

__all__ = ["append_record", "due", "read_records"]
