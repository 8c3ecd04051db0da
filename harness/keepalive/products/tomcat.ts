/**
 * Apache Tomcat's HTTP connector, the JVM server most Java services run (Spring Boot embeds it).
 * keepAliveTimeout defaults to connectionTimeout, 60000 ms (the server.xml Tomcat ships sets
 * connectionTimeout 20000); Tomcat sends Keep-Alive: timeout=N with it.
 */
import { millis, type Preset } from './types.ts';

export const tomcat: Preset = {
  name: 'tomcat',
  title: 'Apache Tomcat (JVM)',
  sources: [{ title: 'Tomcat HTTP Connector: keepAliveTimeout, connectionTimeout', url: 'https://tomcat.apache.org/tomcat-9.0-doc/config/http.html' }],
  settings: ['keepAliveTimeout', 'connectionTimeout'],
  server: () => ({
    keepAliveMs: 60_000,
    keepAliveFrom: "Tomcat's keepAliveTimeout defaults to connectionTimeout, 60000 ms",
    knob: millis('keepAliveTimeout', 'the <Connector> element of server.xml', (value) => `<Connector ... keepAliveTimeout="${value}" />`),
    advertisesHint: true,
    hintFrom: 'Tomcat sends Keep-Alive: timeout=N with N its keepAliveTimeout in seconds',
    closes: 'silently',
  }),
};
