-- What the holder of an account's lease has open (an AMI account's
-- connection to its PBX): since when, NULL while it is not connected, and
-- what it said of itself (the PBX's AMI version), so every instance's
-- channel page shows the same.
ALTER TABLE mailbox_lease ADD COLUMN connected_at TIMESTAMP;
ALTER TABLE mailbox_lease ADD COLUMN detail TEXT NOT NULL DEFAULT '';
