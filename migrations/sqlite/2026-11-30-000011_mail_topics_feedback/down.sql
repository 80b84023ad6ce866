DROP TABLE round_result_criteria;
DROP INDEX outbox_topic_idx;
ALTER TABLE outbox DROP COLUMN topic;
