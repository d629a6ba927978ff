/**
 * Ant: a sphere torso on a free joint with four two-jointed legs; robot geoms collide with the floor only.
 * Written from the physical parameters of Gymnasium's ant.xml. Note the actuator order (leg 4 first).
 */
interface Leg {
  index: number;
  upperName: string;
  sx: number;
  sy: number;
  ankleAxis: string;
  ankleRange: string;
}

const LEGS: Leg[] = [
  { index: 1, upperName: 'front_left_leg', sx: 1, sy: 1, ankleAxis: '-1 1 0', ankleRange: '30 70' },
  { index: 2, upperName: 'front_right_leg', sx: -1, sy: 1, ankleAxis: '1 1 0', ankleRange: '-70 -30' },
  { index: 3, upperName: 'back_leg', sx: -1, sy: -1, ankleAxis: '-1 1 0', ankleRange: '-70 -30' },
  { index: 4, upperName: 'right_back_leg', sx: 1, sy: -1, ankleAxis: '1 1 0', ankleRange: '30 70' },
];

function leg({ index, upperName, sx, sy, ankleAxis, ankleRange }: Leg): string {
  const step = `${0.2 * sx} ${0.2 * sy} 0`;
  const foot = `${0.4 * sx} ${0.4 * sy} 0`;
  return `
      <body name="${upperName}" pos="0 0 0">
        <geom name="aux_${index}_geom" type="capsule" fromto="0 0 0 ${step}" size="0.08"/>
        <body name="aux_${index}" pos="${step}">
          <joint name="hip_${index}" type="hinge" axis="0 0 1" range="-30 30"/>
          <geom name="leg_${index}_geom" type="capsule" fromto="0 0 0 ${step}" size="0.08"/>
          <body pos="${step}">
            <joint name="ankle_${index}" type="hinge" axis="${ankleAxis}" range="${ankleRange}"/>
            <geom name="ankle_${index}_geom" type="capsule" fromto="0 0 0 ${foot}" size="0.08"/>
          </body>
        </body>
      </body>`;
}

const ACTUATOR_ORDER = [4, 1, 2, 3];

export const ANT_XML = `
<mujoco model="ant">
  <compiler angle="degree" inertiafromgeom="true"/>
  <option timestep="0.01" integrator="RK4"/>
  <size memory="1M"/>
  <default>
    <joint armature="1" damping="1"/>
    <geom conaffinity="0" condim="3" density="5.0" friction="1 0.5 0.5" margin="0.01"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" size="40 40 40" conaffinity="1"/>
    <body name="torso" pos="0 0 0.75">
      <joint name="root" type="free" armature="0" damping="0" margin="0.01"/>
      <geom name="torso_geom" type="sphere" pos="0 0 0" size="0.25"/>${LEGS.map(leg).join('')}
    </body>
  </worldbody>
  <actuator>
${ACTUATOR_ORDER.map((i) => `    <motor joint="hip_${i}" gear="150" ctrlrange="-1 1"/>\n    <motor joint="ankle_${i}" gear="150" ctrlrange="-1 1"/>`).join('\n')}
  </actuator>
</mujoco>
`;
