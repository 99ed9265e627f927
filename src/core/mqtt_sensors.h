/*
** mqtt_sensors.h -- the sensor modules' readings as telemetry fields and
** Home Assistant sensors: which function reads them, which key of its
** JSON dict holds which quantity, and how HA should call it
** (device_class / unit_of_measurement / state_class from HA's sensor
** documentation). One table, so telemetry and discovery cannot disagree.
** Included by mqtt_tele.c and mqtt_ha.c only.
*/
#ifndef ND_MQTT_SENSORS_H
#define ND_MQTT_SENSORS_H

typedef struct nd_mqtt_sensor {
    const char *module, *function; /* the reading: `<module> <function> >json` */
    const char *key;               /* key in its dict */
    const char *field;             /* telemetry field <module>_<field> */
    const char *device_class;      /* NULL: none */
    const char *unit;
} nd_mqtt_sensor;

static const nd_mqtt_sensor nd_mqtt_sensors[] = {
    {"dht22", "measure", "temp[C]", "temperature", "temperature", "\xc2\xb0" "C"},
    {"dht22", "measure", "hum[%]", "humidity", "humidity", "%"},
    {"bme280", "measure", "temp[C]", "temperature", "temperature", "\xc2\xb0" "C"},
    {"bme280", "measure", "hum[%]", "humidity", "humidity", "%"},
    {"bme280", "measure", "pressure[hPa]", "pressure", "pressure", "hPa"},
    {"light_sensor", "illuminance", "illuminance [lux]", "illuminance", "illuminance", "lx"},
    {"light_sensor", "intensity", "light intensity [%]", "intensity", 0, "%"},
};

int nd_mqtt_sensor_count(void);

#endif
