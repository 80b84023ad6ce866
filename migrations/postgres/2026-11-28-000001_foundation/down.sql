DROP TABLE audit_events;
DROP TABLE outbox;
DROP TABLE login_attempts;
DROP TABLE user_tokens;
DROP TABLE users;
DROP TABLE units;
