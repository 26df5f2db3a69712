/* A stand-in for the NVIDIA driver's libnvidia-ml.so.1, for testing energy.py's ctypes binding and energy
 * accounting on machines without a GPU. It exports the NVML entry points energy.py calls, with NVML's documented
 * signatures and return codes. Two devices draw a constant power (device 0: 200 W, device 1: 300 W), and the energy
 * counter is that power integrated since nvmlInit. FAKE_NVML_NO_ENERGY=1 makes the counter unsupported and
 * FAKE_NVML_NO_POWER=1 the power reading, as some virtualised drivers do. Built by test_energy.py with: gcc -shared -fPIC -o libnvidia-ml.so.1 fake_nvml.c
 * Nothing measured comes from here: it is test scaffolding only. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int nvmlReturn_t;
enum { NVML_SUCCESS = 0, NVML_ERROR_UNINITIALIZED = 1, NVML_ERROR_INVALID_ARGUMENT = 2, NVML_ERROR_NOT_SUPPORTED = 3,
       NVML_ERROR_NOT_FOUND = 6 };

struct device { const char *uuid; unsigned int power_mw; };
typedef struct device *nvmlDevice_t;

static struct device devices[] = {
  {"GPU-11111111-2222-3333-4444-555555555555", 200000},
  {"GPU-66666666-7777-8888-9999-000000000000", 300000},
};
static const unsigned int device_count = sizeof devices / sizeof devices[0];
static double t_init = -1;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

nvmlReturn_t nvmlInit_v2(void) {
  if (t_init < 0) t_init = now();
  return NVML_SUCCESS;
}

const char *nvmlErrorString(nvmlReturn_t rc) {
  switch (rc) {
    case NVML_SUCCESS: return "Success";
    case NVML_ERROR_UNINITIALIZED: return "Uninitialized";
    case NVML_ERROR_INVALID_ARGUMENT: return "Invalid Argument";
    case NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
    case NVML_ERROR_NOT_FOUND: return "Not Found";
    default: return "Unknown Error";
  }
}

nvmlReturn_t nvmlDeviceGetHandleByUUID(const char *uuid, nvmlDevice_t *device) {
  if (t_init < 0) return NVML_ERROR_UNINITIALIZED;
  if (!uuid || !device) return NVML_ERROR_INVALID_ARGUMENT;
  for (unsigned int i = 0; i < device_count; i++)
    if (strcmp(devices[i].uuid, uuid) == 0) { *device = &devices[i]; return NVML_SUCCESS; }
  return NVML_ERROR_NOT_FOUND;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
  if (t_init < 0) return NVML_ERROR_UNINITIALIZED;
  if (index >= device_count || !device) return NVML_ERROR_INVALID_ARGUMENT;
  *device = &devices[index];
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t device, unsigned int *power_mw) {
  if (!device || !power_mw) return NVML_ERROR_INVALID_ARGUMENT;
  const char *off = getenv("FAKE_NVML_NO_POWER");
  if (off && strcmp(off, "1") == 0) return NVML_ERROR_NOT_SUPPORTED;
  *power_mw = device->power_mw;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t device, unsigned long long *energy_mj) {
  if (!device || !energy_mj) return NVML_ERROR_INVALID_ARGUMENT;
  const char *off = getenv("FAKE_NVML_NO_ENERGY");
  if (off && strcmp(off, "1") == 0) return NVML_ERROR_NOT_SUPPORTED;
  /* mW x s = mJ */
  *energy_mj = (unsigned long long)(device->power_mw * (now() - t_init));
  return NVML_SUCCESS;
}
